package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/**
 * {@code -o exclusive_read=GLOB}: unmodified programs (sh, cat, cp) meet the seed commit's exclusive
 * deny. The first reader holds its open with {@code exec 3<FILE} in a shell that waits, so every
 * step is ordered by a handshake, never by time.
 */
class ExclusiveReadIT {
    private static final Duration RELEASE = Duration.ofSeconds(30);

    @Test
    void open_readOnlyOfAnExclusivelyReadFile_secondReaderAndWriterFailEtxtbsy() throws Exception {
        try (LiveMount m = LiveMount.start("exclusive_read=**.ko:fw/*")) {
            m.file("lib/x.ko", "module\n");
            try (Holder reader = Holder.sh(m.mnt, "exec 3<lib/x.ko")) {
                assertThat(m.count("lib/x.ko")).isEqualTo(-1);
                Proc.Result cat = Proc.run(m.mnt, List.of("cat", "lib/x.ko"));
                assertThat(cat.status()).isNotZero();
                assertThat(cat.err()).contains("lib/x.ko: Text file busy");
                Proc.Result cp = Proc.run(m.mnt, List.of("cp", "lib/x.ko", m.dir.resolve("copy").toString()));
                assertThat(cp.status()).isNotZero();
                assertThat(cp.err()).contains("Text file busy");
                assertThat(Proc.sh(m.mnt, "echo x >> lib/x.ko").err()).contains("Text file busy");
                // an ordinary denier still stacks on the exclusive one, as on the kernel's count
                try (Client c = Client.open(m.mnt)) {
                    assertThat(c.request("deny lib/x.ko")).isEqualTo("ok -2");
                    assertThat(c.request("xdeny lib/x.ko")).startsWith("err ETXTBSY");
                }
                assertThat(reader.finish()).isZero();
            }
            LiveMount.await("the first reader's release", RELEASE, () -> count(m, "lib/x.ko") == 0);
            Proc.Result again = Proc.run(m.mnt, List.of("cat", "lib/x.ko"));
            assertThat(again.out()).isEqualTo("module\n");
            assertThat(Files.readString(m.backing.resolve("lib/x.ko"))).isEqualTo("module\n"); // nothing lost
        }
    }

    @Test
    void open_readOnlyOfAnExclusivelyReadFile_whileWritten_failsEtxtbsy() throws Exception {
        try (LiveMount m = LiveMount.start("exclusive_read=fw/*")) {
            m.file("fw/blob.bin", "firmware\n");
            try (Holder writer = Holder.sh(m.mnt, "exec 3>>fw/blob.bin")) {
                Proc.Result cat = Proc.run(m.mnt, List.of("cat", "fw/blob.bin"));
                assertThat(cat.err()).contains("fw/blob.bin: Text file busy");
            }
        }
    }

    @Test
    void open_readOnlyOfAFileNoGlobNames_staysShared() throws Exception {
        try (LiveMount m = LiveMount.start("exclusive_read=*.ko")) {
            m.file("notes.txt", "shared\n");
            m.file("sub/y.ko", "deeper than *\n");
            try (Holder reader = Holder.sh(m.mnt, "exec 3<notes.txt 4<sub/y.ko")) {
                assertThat(m.count("notes.txt")).isZero();
                assertThat(Proc.run(m.mnt, List.of("cat", "notes.txt")).out()).isEqualTo("shared\n");
                assertThat(Proc.run(m.mnt, List.of("cat", "sub/y.ko")).out()).isEqualTo("deeper than *\n");
                assertThat(reader.finish()).isZero();
            }
        }
    }

    @Test
    void status_showsTheGlobsAndTheExclusiveOpens() throws Exception {
        try (LiveMount m = LiveMount.start("exclusive_read=*.ko")) {
            m.file("x.ko", "m\n");
            try (Holder reader = Holder.sh(m.mnt, "exec 3<x.ko")) {
                assertThat(Proc.run(m.mnt, List.of("cat", "x.ko")).status()).isNotZero();
                try (Client c = Client.open(m.mnt)) {
                    assertThat(c.request("holders x.ko")).startsWith("ok xread pid=");
                    assertThat(c.request("status")).contains(" exclusive_read=*.ko exclusive_reads=1 exclusive_read_refused=1");
                }
                assertThat(reader.finish()).isZero();
            }
        }
    }

    private static int count(LiveMount m, String name) {
        try {
            return m.count(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
