package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/** The control file on a real mount, spoken to by shell processes the way a script would. */
class ControlFileIT extends OnOneMount {

    @Test
    void shellScript_deniesQueriesAndAllowsOnOneHandle() throws IOException {
        m.file("s", "");
        Proc.Result r = Proc.sh(m.mnt, """
                exec 3<>.denyfs/control
                echo "deny s" >&3; read -r a <&3
                echo "query /s" >&3; read -r b <&3
                echo "allow s" >&3; read -r c <&3
                echo "$a|$b|$c"
                """);
        assertThat(r.out()).isEqualTo("ok -1|ok -1|ok 0\n");
    }

    @Test
    void eachHandle_getsItsOwnReplies() throws IOException {
        m.file("two", "");
        try (Client a = Client.open(m.mnt); Client b = Client.open(m.mnt)) {
            assertThat(a.request("deny two")).isEqualTo("ok -1");
            assertThat(b.request("query two")).isEqualTo("ok -1");
            assertThat(b.request("bogus")).startsWith("err EINVAL unknown verb");
            assertThat(a.request("allow two")).isEqualTo("ok 0");
        }
    }

    @Test
    void badRequests_fromTheShell_getOneErrReplyEach() throws IOException {
        m.file("bad", "");
        Proc.Result r = Proc.sh(m.mnt, """
                exec 3<>.denyfs/control
                for req in "deny" "query ../outside" "query nope" "query .denyfs/control" "frob bad" "query ."; do
                  echo "$req" >&3; read -r reply <&3; echo "$reply"
                done
                """);
        assertThat(r.out().lines()).containsExactly(
                "err EINVAL deny: missing PATH",
                "err EINVAL ../outside: resolves outside the mount",
                "err ENOENT nope",
                "err EINVAL .denyfs/control: names the control tree, not a file",
                "err EINVAL unknown verb 'frob' (expected query, deny, xdeny, allow, holders, status, finit, init, delete, policy, wait or firmware)",
                "err EINVAL .: not a regular file");
    }

    @Test
    void symlinkOutOfTheMount_isRefused() throws IOException {
        java.nio.file.Files.createSymbolicLink(m.backing.resolve("out"), java.nio.file.Path.of("/etc/hostname"));
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("deny out")).isEqualTo("err EINVAL out: resolves outside the mount");
        }
    }

    @Test
    void holderKilled_releasesItsDeny_andAWriterSucceedsAfterwards() throws Exception {
        m.file("k", "");
        try (Holder holder = Holder.sh(m.mnt, "exec 3<>.denyfs/control && echo 'deny k' >&3 && read -r r <&3 && [ \"$r\" = 'ok -1' ]")) {
            assertThat(m.count("k")).isEqualTo(-1);
            assertThat(Proc.sh(m.mnt, "echo >> k").err()).contains("Text file busy");
            long killed = System.nanoTime();
            holder.kill();
            LiveMount.await("the killed holder's deny to go", Duration.ofSeconds(30), () -> {
                try {
                    return m.count("k") == 0;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            System.out.printf("deny released %d us after SIGKILL returned%n", (System.nanoTime() - killed) / 1000);
        }
        assertThat(Proc.sh(m.mnt, "echo >> k").status()).isZero();
    }
}
