package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default, {@code cache=relaxed}: the kernel keeps a file's page cache across open() (libfuse2's
 * auto_cache: keep_cache is set when fgetattr shows the same mtime and size as before), and what it
 * caches is never staler than that rule says. Reads go through the shell so they are real read(2)s
 * on the mount. The mount has {@code passthrough=off}: with kernel passthrough there are no FUSE pages
 * to keep, reads come from BACKING's page cache at once
 * ({@code KernelPassthroughIT.backingChangedBehindTheMount_sameSizeAndMtime_isReadAtTheNextOpen}).
 */
class RelaxedCacheIT {
    static LiveMount m;

    @BeforeAll
    static void mount() throws IOException {
        m = LiveMount.start("passthrough=off");
    }

    @AfterAll
    static void unmount() throws IOException {
        if (m != null) {
            m.close();
        }
    }

    private static String cat(String name) {
        Proc.Result r = Proc.sh(m.mnt, "cat " + name);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    private static void write(Path p, String s) throws IOException {
        Files.writeString(p, s, StandardCharsets.UTF_8);
    }

    @Test
    void open_afterWriteThroughTheMount_seesTheNewData() throws IOException {
        write(m.mnt.resolve("w"), "aaaa");
        assertThat(cat("w")).isEqualTo("aaaa");            // cat w: now in the page cache
        write(m.mnt.resolve("w"), "bbbb");                 // echo -n bbbb > w: same size
        assertThat(cat("w")).isEqualTo("bbbb");
    }

    @Test
    void reopen_afterChangeInTheBackingDirectory_seesTheNewData() throws IOException {
        write(m.mnt.resolve("b"), "old!");
        assertThat(cat("b")).isEqualTo("old!");
        Path backing = m.backing.resolve("b");
        FileTime before = Files.getLastModifiedTime(backing);
        write(backing, "new!");                            // same size, behind the mount's back
        Files.setLastModifiedTime(backing, FileTime.fromMillis(before.toMillis() + 2000));
        assertThat(cat("b")).isEqualTo("new!");
    }

    @Test
    void reopen_ofAnUnchangedFile_keepsThePageCache() throws IOException {
        // The proof that keep_cache is really set: a change the rule cannot see (same size, mtime
        // put back to the nanosecond) is not seen, because the read is answered from the cache.
        write(m.mnt.resolve("k"), "kept");
        assertThat(cat("k")).isEqualTo("kept");
        assertThat(cat("k")).isEqualTo("kept");            // second open: cache_valid in libfuse
        Path backing = m.backing.resolve("k");
        FileTime mtime = Files.getLastModifiedTime(backing);
        write(backing, "lost");
        Files.setLastModifiedTime(backing, mtime);
        assertThat(cat("k")).isEqualTo("kept");
        assertThat(Files.readString(backing)).isEqualTo("lost");
    }

    @Test
    void readAndWrite_afterAFullGc_stillServed() throws IOException {
        // FuseOps's raw callbacks are held weakly by jnr-ffi: a lost one answered EIO after a GC.
        System.gc();
        write(m.mnt.resolve("gc"), "still here");
        System.gc();
        assertThat(cat("gc")).isEqualTo("still here");
    }
}
