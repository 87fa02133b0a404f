package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The line rule of the control file with real write(2) calls larger than FUSE's max_write (128 KiB),
 * which the kernel cuts into several WRITE requests (native-test/src/onewrite.c writes a payload in
 * one write(2) from a page-aligned buffer, then prints every reply).
 */
class ControlLinesIT extends OnOneMount {
    private static final int MAX_WRITE = 128 * 1024;

    private static List<String> oneWrite(byte[] payload) throws IOException {
        Path file = m.dir.resolve("payload");
        Files.write(file, payload);
        Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("onewrite").toString(), m.mnt.toString(), file.toString()));
        assertThat(r.status()).as(r.all()).isZero();
        return r.out().lines().toList();
    }

    private static byte[] bytes(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : parts) {
            out.writeBytes(p.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void write_ofAnOverlongLineWhoseTailIsARequest_runsNothingOfIt() throws IOException {
        m.file("f1", "");
        // one line: 128 KiB of padding, then what would be a request if the WRITE boundary cut the line
        List<String> replies = oneWrite(bytes("x".repeat(MAX_WRITE), "deny f1\n", "query f1\n"));
        assertThat(replies).containsExactly("err EINVAL request line longer than 4096 bytes", "ok 0");
    }

    @Test
    void write_ofAnOverlongLineSpanningThreeWrites_isOneBadRequest_andTheNextLineRuns() throws IOException {
        m.file("f2", "");
        List<String> replies = oneWrite(bytes("deny f2 ", "y".repeat(2 * MAX_WRITE + 100), "\n", "query f2\n"));
        assertThat(replies).containsExactly("err EINVAL request line longer than 4096 bytes", "ok 0");
    }

    @Test
    void write_ofLinesAcrossTheWriteBoundary_joinsTheLineCutInTwo() throws IOException {
        m.file("f3", "");
        // legal lines of about 4000 bytes ("query ./././f3"), one shorter to fill up to the cut,
        // then "deny f3" cut in two by the 128 KiB boundary: "den" | "y f3\n"
        String query = "query " + "./".repeat(1990) + "f3\n";
        StringBuilder payload = new StringBuilder();
        while (payload.length() + query.length() + 9 <= MAX_WRITE - 3) {
            payload.append(query);
        }
        int fill = MAX_WRITE - 3 - payload.length();
        payload.append("query ").append("/".repeat(fill - 9)).append("f3\n");
        int queries = payload.toString().split("\n").length;
        payload.append("deny f3\n");
        assertThat(payload.indexOf("deny f3")).isEqualTo(MAX_WRITE - 3);
        List<String> replies = oneWrite(bytes(payload.toString()));
        assertThat(replies).hasSize(queries + 1);
        assertThat(replies.subList(0, queries)).containsOnly("ok 0");
        assertThat(replies.get(queries)).isEqualTo("ok -1");
    }

    /** libdenyfs's client, as the Java Client: a '\n' in a request would smuggle in a second one. */
    @Test
    void denyfsControlRequest_withANewlineInTheRequest_failsEinval_andSendsNothing() throws IOException {
        m.file("f9", "");
        Proc.Result r = Proc.run(m.mnt, List.of(Proc.tool("ctlreq").toString(), m.mnt.toString(), "query f9\ndeny f9"));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("Invalid argument");
        assertThat(m.count("f9")).isZero(); // no deny was taken
    }
}
