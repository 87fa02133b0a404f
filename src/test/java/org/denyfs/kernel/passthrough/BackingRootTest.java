package org.denyfs.kernel.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.denyfs.core.Errno;
import org.denyfs.kernel.natives.Libc;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resolution beneath the backing root, by openat2 and by the walk that stands in for it on kernels
 * before 5.6: both must give the same answer for every case.
 */
class BackingRootTest {
    @TempDir
    Path dir;

    private BackingRoot root(boolean openat2) throws Exception {
        Path backing = dir.resolve("backing");
        Files.createDirectories(backing.resolve("a/b"));
        Files.writeString(backing.resolve("a/b/f"), "inside");
        Files.writeString(dir.resolve("secret"), "outside");
        Files.createSymbolicLink(backing.resolve("a/up"), Path.of("../.."));         // climbs above the root
        Files.createSymbolicLink(backing.resolve("a/abs"), dir.resolve("secret"));   // absolute, outside
        Files.createSymbolicLink(backing.resolve("a/rel"), Path.of("b/f"));          // relative, inside
        Files.createSymbolicLink(backing.resolve("a/bdir"), Path.of("b"));           // a directory, inside
        Files.createSymbolicLink(backing.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(backing.resolve("loop2"), Path.of("loop1"));
        int fd = Libc.INSTANCE.open(backing.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        return new BackingRoot(fd, openat2);
    }

    private static String read(int fd) {
        assertThat(fd).as("fd").isGreaterThanOrEqualTo(0);
        try {
            return Files.readString(Path.of("/proc/self/fd/" + fd));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            Libc.INSTANCE.close(fd);
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_aPlainPath_opensTheFileBeneathTheRoot(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            assertThat(read(root.open("a/b/f", Libc.O_RDONLY, 0, BackingRoot.Walk.NO_SYMLINKS))).isEqualTo("inside");
            assertThat(read(root.open("a/b/f", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH))).isEqualTo("inside");
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_aSymlinkInAFusePath_failsEloop(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            assertThat(root.open("a/rel", Libc.O_RDONLY, 0, BackingRoot.Walk.NO_SYMLINKS)).isEqualTo(-Errno.ELOOP.code());
            assertThat(root.open("a/bdir/f", Libc.O_RDONLY, 0, BackingRoot.Walk.NO_SYMLINKS)).isEqualTo(-Errno.ELOOP.code());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_oPathNoFollowOfASymlink_givesTheLinkItself(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            int fd = root.open("a/abs", Libc.O_PATH | Libc.O_NOFOLLOW, 0, BackingRoot.Walk.NO_SYMLINKS);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            try {
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString()).endsWith("/backing/a/abs");
            } finally {
                Libc.INSTANCE.close(fd);
            }
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_symlinksInsideTheRoot_areFollowedForControlPaths(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            assertThat(read(root.open("a/rel", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH))).isEqualTo("inside");
            assertThat(read(root.open("a/bdir/f", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH))).isEqualTo("inside");
            assertThat(read(root.open("a/bdir/../b/f", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH))).isEqualTo("inside");
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_aSymlinkLeavingTheRoot_failsExdev(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            assertThat(root.open("a/abs", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH)).isEqualTo(-Errno.EXDEV.code());
            assertThat(root.open("a/up/secret", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH)).isEqualTo(-Errno.EXDEV.code());
            assertThat(root.open("../secret", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH)).isEqualTo(-Errno.EXDEV.code());
            assertThat(root.open("../secret", Libc.O_RDONLY, 0, BackingRoot.Walk.NO_SYMLINKS)).isEqualTo(-Errno.EXDEV.code());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_aSymlinkLoop_failsEloop(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            assertThat(root.open("loop1", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH)).isEqualTo(-Errno.ELOOP.code());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_aMissingFile_failsEnoent(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            assertThat(root.open("a/none", Libc.O_RDONLY, 0, BackingRoot.Walk.BENEATH)).isEqualTo(-Errno.ENOENT.code());
            assertThat(root.open("a/none/x", Libc.O_RDONLY, 0, BackingRoot.Walk.NO_SYMLINKS)).isEqualTo(-Errno.ENOENT.code());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_theRootItself_isTheBackingDirectory(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            for (String p : new String[] {"", ".", "a/.."}) {
                int fd = root.open(p, Libc.O_PATH | Libc.O_DIRECTORY, 0, BackingRoot.Walk.NO_SYMLINKS);
                assertThat(fd).as(p).isGreaterThanOrEqualTo(0);
                try {
                    assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString()).endsWith("/backing");
                } finally {
                    Libc.INSTANCE.close(fd);
                }
            }
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void open_withOCreat_createsBeneathTheRootWithTheMode(boolean openat2) throws Exception {
        try (BackingRoot root = root(openat2)) {
            int fd = root.open("a/b/new", Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY, 0600, BackingRoot.Walk.NO_SYMLINKS);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            Libc.INSTANCE.close(fd);
            assertThat(Files.getPosixFilePermissions(dir.resolve("backing/a/b/new")))
                    .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
    }
}
