package org.denyfs.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Injects a fresh denyfs mount over an empty temporary directory into a test's parameter:
 * {@code @DenyfsMount Path mnt} (the mount point) or {@code @DenyfsMount Denyfs denyfs} (the mount
 * with its control API). The mount is made before the test runs and unmounted, and its directory
 * removed, after it, also when the test fails. Parameters of one test with the same options share
 * one mount; a parameter of a {@code @BeforeAll} method gets one mount for the whole class, which
 * the test methods then share.
 *
 * <pre>{@code
 * @Test void installer_whileTheProgramRuns_replacesItByRename(@DenyfsMount Denyfs denyfs) throws IOException {
 *     Path app = denyfs.write("app", "v1");
 *     try (Denyfs.Hold running = denyfs.hold(app)) {          // as an execve of app would
 *         assertThrows(FileSystemException.class, () -> Files.writeString(app, "v2"));  // Text file busy
 *     }
 * }
 * }</pre>
 *
 * Needs /dev/fuse and, unless the test runs as root, fusermount (package fuse). Without /dev/fuse
 * resolving the parameter fails with a message that says so.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@ExtendWith(DenyfsExtension.class)
public @interface DenyfsMount {
    /** Mount options, as {@code denyfs mount -o} takes them: "policy=exclusive", "attr_timeout=0". */
    String[] options() default {};
}
