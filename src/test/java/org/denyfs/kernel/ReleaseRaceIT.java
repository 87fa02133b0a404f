package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/**
 * FUSE sends RELEASE asynchronously, so close(2) returns before the daemon drops the write access.
 * A process that closes and then denies must still succeed every time: these loops would catch a
 * single lost race.
 */
class ReleaseRaceIT extends OnOneMount {

    @Test
    void denyWriteAccess_rightAfterClose_succeedsEveryTime_c() throws IOException {
        m.file("race", "");
        Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("closedeny").toString(), m.mnt.toString(), "race", "3000"));
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("rounds=3000 failures=0\n");
        assertThat(r.status()).isZero();
    }

    /** The shell's own pattern: a redirection dups and closes descriptors, each close a FLUSH. */
    @Test
    void denyWriteAccess_rightAfterShellRedirection_succeedsEveryTime() throws IOException {
        m.file("race-sh", "");
        Proc.Result r = Proc.sh(m.mnt, """
                exec 3<>.denyfs/control
                i=0
                while [ $i -lt 1000 ]; do
                  echo $i >> race-sh
                  echo "deny race-sh" >&3; read -r reply <&3
                  case $reply in ok*) ;; *) echo "round $i: $reply"; exit 1;; esac
                  echo "allow race-sh" >&3; read -r reply <&3
                  i=$((i+1))
                done
                echo done $i
                """);
        assertThat(r.out()).isEqualTo("done 1000\n");
        assertThat(r.status()).isZero();
    }

    @Test
    void getWriteAccess_rightAfterControlHandleClosed_succeedsEveryTime() throws IOException {
        m.file("race-ctl", "");
        for (int i = 0; i < 200; i++) {
            try (Client c = Client.open(m.mnt)) {
                assertThat(c.request("deny race-ctl")).isEqualTo("ok -1");
            }
            Proc.Result r = Proc.sh(m.mnt, "echo x >> race-ctl");
            assertThat(r.err()).as("round %d", i).isEmpty();
        }
    }

    @Test
    void releaseLag_isMeasured() throws IOException {
        // the control file's handles get a FLUSH (backing files do not, see ReplyFilterIT)
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("status")).startsWith("ok ");
        }
        LiveMount.await("some releases", Duration.ofSeconds(30), () -> m.mount.view().releaseLag().count() > 0);
        assertThat(m.mount.view().releaseLag().maxMicros()).isGreaterThanOrEqualTo(m.mount.view().releaseLag().meanMicros());
    }
}
