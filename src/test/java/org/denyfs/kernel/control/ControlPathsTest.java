package org.denyfs.kernel.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.passthrough.BackingRoot;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The control-request resolver's answers, by openat2 and by the O_NOFOLLOW walk that stands in for
 * it before Linux 5.6: the same errno for every case, and no message that shows the backing path.
 */
class ControlPathsTest {
    @TempDir
    Path dir;
    private Path backing;
    private BackingRoot root;

    private ControlPaths paths(boolean openat2) throws Exception {
        backing = dir.resolve("backing");
        Files.createDirectories(backing.resolve("a/b"));
        Files.writeString(backing.resolve("a/b/f"), "inside");
        Files.writeString(dir.resolve("secret"), "outside");
        Files.createSymbolicLink(backing.resolve("rel"), Path.of("a/b/f"));
        Files.createSymbolicLink(backing.resolve("a/up"), Path.of("../../secret"));
        Files.createSymbolicLink(backing.resolve("abs"), dir.resolve("secret"));
        Files.createSymbolicLink(backing.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(backing.resolve("loop2"), Path.of("loop1"));
        Process mkfifo = new ProcessBuilder("mkfifo", backing.resolve("fifo").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        int fd = Libc.INSTANCE.open(backing.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        root = new BackingRoot(fd, openat2);
        return new ControlPaths(root);
    }

    private static InodeKey keyOf(Path file) throws Exception {
        return new InodeKey((Long) Files.getAttribute(file, "unix:dev"), (Long) Files.getAttribute(file, "unix:ino"));
    }

    /** The errno a request for {@code path} gets, after checking its message names only PATH. */
    private Errno refusal(ControlPaths paths, String path) {
        try {
            paths.resolve(path);
        } catch (ErrnoException e) {
            assertThat(e.getMessage()).startsWith(path).doesNotContain(dir.toString());
            return e.errno();
        }
        throw new AssertionError(path + " resolved");
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void resolve_aFileOrASymlinkInside_givesItsInodeModeAndOwner(boolean openat2) throws Exception {
        ControlPaths paths = paths(openat2);
        try {
            for (String p : new String[] {"a/b/f", "/a/b/f", "//a/./b/f", "rel", "a/b/../b/f"}) {
                Target t = paths.resolve(p);
                assertThat(t.key()).as(p).isEqualTo(keyOf(backing.resolve("a/b/f")));
                assertThat(t.mode() & 0170000).isEqualTo(0100000);
                assertThat(t.uid()).isEqualTo(Files.getAttribute(backing.resolve("a/b/f"), "unix:uid"));
            }
        } finally {
            root.close();
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void resolve_aPathLeavingTheMount_failsEinvalResolvesOutside(boolean openat2) throws Exception {
        ControlPaths paths = paths(openat2);
        try {
            for (String p : new String[] {"../secret", "a/../../secret", "a/up", "abs"}) {
                assertThat(refusal(paths, p)).as(p).isEqualTo(Errno.EINVAL);
                assertThatThrownBy(() -> paths.resolve(p)).hasMessage(p + ": resolves outside the mount");
            }
        } finally {
            root.close();
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void resolve_aSymlinkLoop_failsEloop(boolean openat2) throws Exception {
        ControlPaths paths = paths(openat2);
        try {
            assertThat(refusal(paths, "loop1")).isEqualTo(Errno.ELOOP);
            assertThatThrownBy(() -> paths.resolve("loop1")).hasMessage("loop1: Too many levels of symbolic links");
        } finally {
            root.close();
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void resolve_missingOrNotAFileOrTheControlTree_failsWithTheirErrno(boolean openat2) throws Exception {
        ControlPaths paths = paths(openat2);
        try {
            assertThat(refusal(paths, "nope")).isEqualTo(Errno.ENOENT);
            assertThat(refusal(paths, "a/b/f/x")).isEqualTo(Errno.ENOTDIR);
            assertThat(refusal(paths, "a")).isEqualTo(Errno.EINVAL);
            assertThat(refusal(paths, "/")).isEqualTo(Errno.EINVAL);
            assertThat(refusal(paths, "fifo")).isEqualTo(Errno.EINVAL); // O_PATH: the open never blocks
            assertThat(refusal(paths, ".denyfs/control")).isEqualTo(Errno.EINVAL);
            assertThat(refusal(paths, "a/../.denyfs")).isEqualTo(Errno.EINVAL);
            assertThat(refusal(paths, "x".repeat(5000))).isEqualTo(Errno.ENAMETOOLONG);
        } finally {
            root.close();
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void openForReading_readsTheInodeTheChecksSaw(boolean openat2) throws Exception {
        ControlPaths paths = paths(openat2);
        try (Target t = paths.openForReading("rel")) {
            assertThat(t.key()).isEqualTo(keyOf(backing.resolve("a/b/f")));
            // the file is renamed away and another takes its name: the descriptor still reads the first
            Files.move(backing.resolve("a/b/f"), backing.resolve("a/b/old"));
            Files.writeString(backing.resolve("a/b/f"), "swapped");
            assertThat(Files.readString(Path.of("/proc/self/fd/" + t.fd()))).isEqualTo("inside");
        } finally {
            root.close();
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void openForReading_aFifo_failsEinvalWithoutBlocking(boolean openat2) throws Exception {
        ControlPaths paths = paths(openat2);
        try {
            assertThatThrownBy(() -> paths.openForReading("fifo")).isInstanceOf(ErrnoException.class)
                    .hasMessage("fifo: not a regular file");
        } finally {
            root.close();
        }
    }
}
