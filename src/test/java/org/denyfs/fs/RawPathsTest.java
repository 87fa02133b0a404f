package org.denyfs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
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

    @Test
    void absolute_isTheBackingRootFollowedByTheFusePath() {
        Backing backing = new Backing(dir);
        try {
            assertThat(read(backing.absolute(cString("/a/b").address()))).isEqualTo(dir + "/a/b");
            // the buffer is reused: a shorter path must not keep the longer one's tail
            assertThat(read(backing.absolute(cString("/c").address()))).isEqualTo(dir + "/c");
            assertThat(read(backing.absolute(cString("/ünï").address()))).isEqualTo(dir + "/ünï");
        } finally {
            backing.close();
        }
    }

    @Test
    void absolute_ofAPathLongerThanPathMax_isRefused() {
        Backing backing = new Backing(dir);
        try {
            assertThat(backing.absolute(cString("/" + "x".repeat(5000)).address())).isZero();
        } finally {
            backing.close();
        }
    }

    @Test
    void openRaw_opensRelativeToTheBackingRoot() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        Backing backing = new Backing(dir);
        try {
            int fd = backing.openRaw(cString("/f").address(), Libc.O_RDONLY, 0);
            assertThat(fd).isGreaterThanOrEqualTo(0);
            Libc.INSTANCE.close(fd);
            assertThat(backing.openRaw(cString("/missing").address(), Libc.O_RDONLY, 0)).isEqualTo(-1);
        } finally {
            backing.close();
        }
    }

    @Test
    void isVirtual_isTheControlTreeAndNothingElse() {
        assertThat(RawIo.isVirtual(cString("/.denyfs").address())).isTrue();
        assertThat(RawIo.isVirtual(cString("/.denyfs/control").address())).isTrue();
        assertThat(RawIo.isVirtual(cString("/.denyfsx").address())).isFalse();
        assertThat(RawIo.isVirtual(cString("/.deny").address())).isFalse();
        assertThat(RawIo.isVirtual(cString("/a/.denyfs").address())).isFalse();
        assertThat(RawIo.isVirtual(cString("/").address())).isFalse();
    }
}
