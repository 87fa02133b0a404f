package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * {@code -o cache=exact}: a change made directly in BACKING, behind the mount's back, is seen by the
 * very next operation through the mount: contents, size, mode, names. Each case is a sequence that
 * shows stale data under the default one-second caches (three of the four fail with
 * {@code cache=relaxed}), repeated, never waited for.
 */
class ExactCacheIT {
    static LiveMount m;

    @org.junit.jupiter.api.BeforeAll
    static void mount() throws IOException {
        m = LiveMount.start("cache=exact");
    }

    @org.junit.jupiter.api.AfterAll
    static void unmount() throws IOException {
        if (m != null) {
            m.close();
        }
    }

    private static final int ROUNDS = 50;

    private static String cat(String name) {
        Proc.Result r = Proc.sh(m.mnt, "cat " + name);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void read_afterRemoveAndRecreateInBacking_seesTheNewFile() throws IOException {
        Path backing = m.backing.resolve("re");
        for (int i = 0; i < ROUNDS; i++) {
            String old = "old".repeat(i + 1);
            Files.writeString(m.mnt.resolve("re"), old);     // written through the mount: size known to the kernel
            assertThat(cat("re")).isEqualTo(old);
            Files.delete(backing);
            String fresh = "new content, longer than the old one " + i;
            Files.writeString(backing, fresh, StandardCharsets.UTF_8);
            assertThat(cat("re")).as("round " + i).isEqualTo(fresh);
        }
    }

    @Test
    void read_afterSameSizeChangeWithMtimePutBack_seesTheNewData() throws IOException {
        // What auto_cache cannot see (same size, mtime restored to the nanosecond) is seen here.
        Files.writeString(m.mnt.resolve("k"), "kept");
        assertThat(cat("k")).isEqualTo("kept");
        Path backing = m.backing.resolve("k");
        FileTime mtime = Files.getLastModifiedTime(backing);
        Files.writeString(backing, "seen");
        Files.setLastModifiedTime(backing, mtime);
        assertThat(cat("k")).isEqualTo("seen");
    }

    @Test
    void stat_afterChmodInBacking_seesTheNewMode() throws IOException {
        Path backing = m.backing.resolve("mode");
        Files.writeString(backing, "x");
        for (String mode : new String[] {"rw-------", "rwxr-xr-x", "r--r--r--"}) {
            Files.setPosixFilePermissions(backing, PosixFilePermissions.fromString(mode));
            assertThat(Proc.sh(m.mnt, "stat -c %A mode").out()).isEqualTo("-" + mode + "\n");
        }
    }

    @Test
    void lookup_afterRenameAndReplaceInBacking_findsTheNewEntry() throws IOException {
        for (int i = 0; i < ROUNDS; i++) {
            Files.writeString(m.backing.resolve("a"), "file " + i);
            assertThat(cat("a")).isEqualTo("file " + i);
            Files.delete(m.backing.resolve("a"));
            Files.createDirectory(m.backing.resolve("a"));  // a directory now, where a file was
            assertThat(Proc.sh(m.mnt, "test -d a && echo dir").out()).as("round " + i).isEqualTo("dir\n");
            Files.delete(m.backing.resolve("a"));
            assertThat(Proc.sh(m.mnt, "test -e a || echo gone").out()).isEqualTo("gone\n");
        }
    }
}
