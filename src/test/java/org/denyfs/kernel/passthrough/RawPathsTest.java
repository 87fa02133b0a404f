package org.denyfs.kernel.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.natives.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw request paths: libfuse's C strings are read in place, never decoded into Strings. */
class RawPathsTest {
    @TempDir
    Path dir;

    private static Pointer cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Pointer p = Memory.allocateDirect(Libc.RUNTIME, bytes.length + 1, true);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }

    private static String read(long address) {
        return Pointer.wrap(Libc.RUNTIME, address).getString(0);
    }

    private static long stat(Passthrough files, String fusePath, int[] errno) {
        Pointer st = Stat.allocate();
        errno[0] = files.getattr(cString(fusePath).address(), st.address());
        return st.getLong(Stat.ST_INO);
    }

    private static long ino(Path p) throws Exception {
        return (Long) Files.getAttribute(p, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void getattr_statsTheEntryBeneathTheRootWithoutFollowingIt() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/f"), "x");
        Files.writeString(dir.resolve("top"), "x");
        Files.createSymbolicLink(dir.resolve("a/link"), Path.of("b/f"));
        try (Passthrough files = new Passthrough(BackingRoot.open(dir), ReplyFilter.passThrough())) {
            int[] rc = new int[1];
            assertThat(stat(files, "/a/b/f", rc)).isEqualTo(ino(dir.resolve("a/b/f")));
            assertThat(rc[0]).isZero();
            assertThat(stat(files, "/top", rc)).isEqualTo(ino(dir.resolve("top")));
            assertThat(stat(files, "/", rc)).isEqualTo(ino(dir));
            // the final component is the link itself, as lstat(2)
            assertThat(stat(files, "/a/link", rc)).isEqualTo(ino(dir.resolve("a/link")));
            stat(files, "/a/nothing", rc);
            assertThat(rc[0]).isEqualTo(-org.denyfs.core.Errno.ENOENT.code());
        }
    }

    @Test
    void getattr_throughASymlinkedDirectory_failsEloop() throws Exception {
        Files.createDirectories(dir.resolve("real"));
        Files.writeString(dir.resolve("real/f"), "x");
        Files.createSymbolicLink(dir.resolve("swapped"), Path.of("real"));
        try (Passthrough files = new Passthrough(BackingRoot.open(dir), ReplyFilter.passThrough())) {
            int[] rc = new int[1];
            stat(files, "/swapped/f", rc);
            assertThat(rc[0]).isEqualTo(-org.denyfs.core.Errno.ELOOP.code());
        }
    }

    @Test
    void open_opensRelativeToTheBackingRoot() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        try (Passthrough files = new Passthrough(BackingRoot.open(dir), ReplyFilter.passThrough())) {
            int fd = files.open(cString("/f").address(), Libc.O_RDONLY);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            Libc.INSTANCE.close(fd);
            assertThat(files.open(cString("/missing").address(), Libc.O_RDONLY)).isEqualTo(-org.denyfs.core.Errno.ENOENT.code());
        }
    }
}
