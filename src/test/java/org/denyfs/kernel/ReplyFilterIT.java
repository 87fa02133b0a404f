package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.denyfs.abi.NativeDir;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mount caches attributes (attr_timeout=1) because libdenyfs-fuse.so keeps the one case the
 * kernel cannot keep exact itself, hard links, which libfuse2 turns into separate FUSE inodes; and
 * it opens backing files with FOPEN_NOFLUSH. Each script runs in one shell, well inside the
 * second for which a stale attribute would be served.
 */
class ReplyFilterIT extends OnOneMount {

    @BeforeAll
    static void filterIsOn() {
        assertThat(m.mount.view().replyFilterActive()).as("libdenyfs-fuse.so loaded from " + NativeDir.locate()).isTrue();
    }

    private static String sh(String script) {
        Proc.Result r = Proc.sh(m.mnt, script);
        assertThat(r.err()).as(script).isEmpty();
        assertThat(r.status()).as(script).isZero();
        return r.out();
    }

    @Test
    void link_nlinkOfTheOldName_isExactAtOnce() {
        assertThat(sh("echo x > a1; stat -c %h a1; ln a1 b1; stat -c %h a1")).isEqualTo("1\n2\n");
    }

    @Test
    void hardLink_sizeAfterWriteThroughTheOtherName_isExactAtOnce() {
        assertThat(sh("echo x > a2; ln a2 b2; stat -c %s a2; echo more >> b2; stat -c %s a2")).isEqualTo("2\n7\n");
    }

    @Test
    void hardLink_modeAfterChmodThroughTheOtherName_isExactAtOnce() {
        assertThat(sh("echo x > a3; chmod 600 a3; ln a3 b3; stat -c %a a3; chmod 640 b3; stat -c %a a3")).isEqualTo("600\n640\n");
    }

    @Test
    void unlink_nlinkOfTheRemainingName_isExactAtOnce() {
        assertThat(sh("echo x > a4; ln a4 b4; stat -c %h a4; rm b4; stat -c %h a4")).isEqualTo("2\n1\n");
    }

    @Test
    void closeOfABackingFile_sendsNoFlush() throws IOException {
        sh("echo x > f5");
        long before = m.mount.view().flushes();
        sh("cat f5 >/dev/null; echo y >> f5; cat f5 >/dev/null");
        assertThat(m.mount.view().flushes()).isEqualTo(before);
    }

    @Test
    void closeOfTheControlFile_stillFlushes() throws IOException {
        long before = m.mount.view().flushes();
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("status")).startsWith("ok ");
        }
        assertThat(m.mount.view().flushes()).isGreaterThan(before);
    }
}
