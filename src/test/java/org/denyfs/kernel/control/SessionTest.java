package org.denyfs.kernel.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.junit.jupiter.api.Test;

/** The control protocol without a mount: each call stands for a line a shell script would write. */
class SessionTest {
    private static final Map<String, InodeKey> FILES = Map.of("/f", new InodeKey(1, 10), "/g", new InodeKey(1, 11),
            "/\u00e9t\u00e9", new InodeKey(1, 12));
    private final Inodes inodes = new Inodes();
    private final Control control = new Control(inodes, path -> {
        String p = java.nio.file.Path.of("/").resolve(path).normalize().toString();
        if (path.contains("..")) {
            throw new ErrnoException(Errno.EINVAL, path + ": resolves outside the mount");
        }
        InodeKey k = FILES.get(p);
        if (k == null) {
            throw new ErrnoException(Errno.ENOENT, path);
        }
        return new Target(k, p.equals("/g") ? 0100600 : 0100644, 0, 0);
    });
    private static final Caller ROOT = new Caller(100, 0, 0);
    private final Session session = control.open(100, 0);

    private String ask(Session s, String line) {
        return ask(s, line, ROOT);
    }

    private String ask(Session s, String line, Caller caller) {
        s.write(line + "\n", caller);
        return new String(s.read(4096), StandardCharsets.UTF_8);
    }

    @Test
    void deny_thenQuery_showsMinusOne() {
        assertThat(ask(session, "deny f")).isEqualTo("ok -1\n");   // echo 'deny f' >&3
        assertThat(ask(session, "query /f")).isEqualTo("ok -1\n");
    }

    @Test
    void deny_whileAnotherHandleHoldsWrite_failsEtxtbsy() {
        var writer = inodes.take(FILES.get("/f"), org.denyfs.core.HoldKind.WRITE, 5, 0);
        assertThat(ask(session, "deny f")).isEqualTo("err ETXTBSY deny_write_access: 1 writer\n");
        inodes.release(writer);
    }

    @Test
    void xdeny_whileDeniedByAnotherHandle_failsEtxtbsy() {
        Session other = control.open(101, 0);
        assertThat(ask(other, "deny f")).isEqualTo("ok -1\n");
        assertThat(ask(session, "xdeny f")).isEqualTo("err ETXTBSY exclusive_deny_write_access: 1 denier\n");
        other.close();
        assertThat(ask(session, "xdeny f")).isEqualTo("ok -1\n");
    }

    @Test
    void allow_onlyWhatThisHandleHolds() {
        Session other = control.open(101, 0);
        ask(other, "deny f");
        assertThat(ask(session, "allow f")).isEqualTo("err EINVAL allow: this handle holds no deny on f\n");
        assertThat(ask(other, "allow f")).isEqualTo("ok 0\n");
    }

    @Test
    void close_allowsEveryDenyTheHandleHeld() {
        ask(session, "deny f");
        ask(session, "deny f");
        ask(session, "deny g");
        assertThat(inodes.count(FILES.get("/f"))).isEqualTo(-2);
        session.close();
        assertThat(inodes.size()).isZero();
        assertThat(control.sessionCount()).isZero();
    }

    @Test
    void badRequests_getOneErrReplyEach_andChangeNothing() {
        ask(session, "deny f");
        assertThat(ask(session, "frobnicate f")).startsWith("err EINVAL unknown verb 'frobnicate'");
        assertThat(ask(session, "deny")).isEqualTo("err EINVAL deny: missing PATH\n");
        assertThat(ask(session, "deny ../../etc/passwd")).isEqualTo("err EINVAL ../../etc/passwd: resolves outside the mount\n");
        assertThat(ask(session, "query nope")).isEqualTo("err ENOENT nope\n");
        assertThat(ask(session, "query " + "x".repeat(5000))).startsWith("err EINVAL request line longer than");
        assertThat(ask(session, "query f\u0001\u0002")).startsWith("err EINVAL request line holds a control");
        assertThat(ask(session, "")).isEqualTo("err EINVAL empty request\n");
        assertThat(inodes.count(FILES.get("/f"))).isEqualTo(-1);
        assertThat(ask(session, "query f")).isEqualTo("ok -1\n");
    }

    @Test
    void write_ofSeveralLines_answersEachInOrder() {
        session.write("deny f\nquery f\nallow f\nquery f", ROOT);
        assertThat(new String(session.read(4096), StandardCharsets.UTF_8)).isEqualTo("ok -1\nok -1\nok 0\nok 0\n");
    }

    @Test
    void write_runsNothing_untilTheRepliesAreRead() {
        session.write("deny f\n", ROOT);
        assertThat(inodes.count(FILES.get("/f"))).isZero();
        assertThat(new String(session.read(100), StandardCharsets.UTF_8)).isEqualTo("ok -1\n");
        assertThat(inodes.count(FILES.get("/f"))).isEqualTo(-1);
    }

    @Test
    void flush_runsWhatWasWrittenButNeverRead() {
        session.write("deny f", ROOT);
        session.flush();
        assertThat(inodes.count(FILES.get("/f"))).isEqualTo(-1);
    }

    @Test
    void read_inSmallPieces_losesNothing() {
        session.write("query f\n", ROOT);
        assertThat(new String(session.read(2), StandardCharsets.UTF_8)).isEqualTo("ok");
        assertThat(new String(session.read(100), StandardCharsets.UTF_8)).isEqualTo(" 0\n");
        assertThat(session.read(100)).isEmpty();
    }

    @Test
    void status_reportsTheDaemonsFigures() {
        Session session = new Control(inodes, path -> new Target(FILES.get("/f"), 0100644, 0, 0), ModuleCalls.NONE,
                () -> "handles=7").open(1, 0);
        assertThat(ask(session, "status")).matches("ok pid=\\d+ inodes=0 sessions=1 control_denies=0 requests=1 handles=7\n");
    }

    @Test
    void deny_byAUserWhoMayNotReadTheFile_failsEacces() {
        Caller nobody = new Caller(1, 65534, 65534);
        assertThat(ask(session, "deny g", nobody)).isEqualTo("err EACCES g: uid 65534 may not read it, so may not deny it\n");
        assertThat(ask(session, "deny f", nobody)).isEqualTo("ok -1\n");
        assertThat(ask(session, "query g", nobody)).isEqualTo("ok 0\n");
    }

    @Test
    void holders_listsEachHoldOldestFirst() {
        assertThat(ask(session, "holders f")).isEqualTo("ok -\n");
        ask(session, "deny f");
        Session other = control.open(7, 1000);
        ask(other, "deny f", new Caller(7, 1000, 1000));
        assertThat(ask(session, "holders f")).matches(
                "ok deny pid=100 uid=0 since=\\S+Z, deny pid=7 uid=1000 since=\\S+Z\n");
    }

    private String readAll(Session s) {
        return new String(s.read(1 << 20), StandardCharsets.UTF_8);
    }

    @Test
    void write_ofALineInPieces_joinsThemIntoOneRequest() {
        session.write("de", ROOT);
        session.write("ny", ROOT);
        session.write(" f\nquery f\n", ROOT);
        assertThat(readAll(session)).isEqualTo("ok -1\nok -1\n");
    }

    @Test
    void write_cuttingAUtf8NameInTwo_joinsTheBytesBeforeDecoding() {
        byte[] line = "query \u00e9t\u00e9\n".getBytes(StandardCharsets.UTF_8);
        session.write(java.util.Arrays.copyOfRange(line, 0, 7), ROOT); // "query " and half of the first char
        session.write(java.util.Arrays.copyOfRange(line, 7, line.length), ROOT);
        assertThat(readAll(session)).isEqualTo("ok 0\n");
    }

    @Test
    void write_ofAnOverlongLine_cutAnywhere_isOneBadRequest_andNoPartOfItRuns() {
        byte[] data = ("x".repeat(Request.MAX_LINE) + "deny f\nquery f\n").getBytes(StandardCharsets.UTF_8);
        for (int cut : new int[] {1, Request.MAX_LINE - 1, Request.MAX_LINE, Request.MAX_LINE + 1,
                Request.MAX_LINE + 4, data.length - 9, data.length - 1}) {
            Session s = control.open(100, 0);
            s.write(java.util.Arrays.copyOfRange(data, 0, cut), ROOT);
            s.write(java.util.Arrays.copyOfRange(data, cut, data.length), ROOT);
            assertThat(readAll(s)).as("cut at " + cut)
                    .isEqualTo("err EINVAL request line longer than 4096 bytes\nok 0\n");
            s.close();
        }
        assertThat(inodes.count(FILES.get("/f"))).isZero();
    }

    @Test
    void write_ofALineOfExactlyTheLimit_isKept() {
        String line = "query " + "/".repeat(Request.MAX_LINE - 7) + "f";
        assertThat(line).hasSize(Request.MAX_LINE);
        assertThat(ask(session, line)).isEqualTo("ok 0\n");
    }

    @Test
    void write_ofAnOverlongLine_thenARead_endsIt_andLaterBytesStartANewLine() {
        session.write("y".repeat(3 * Request.MAX_LINE), ROOT);
        assertThat(readAll(session)).isEqualTo("err EINVAL request line longer than 4096 bytes\n");
        session.write("deny f\n", ROOT);
        assertThat(readAll(session)).isEqualTo("ok -1\n");
    }

    @Test
    void write_ofALineWithoutNewline_thenMoreBytes_continuesTheLine() {
        session.write("deny ", ROOT);
        session.write("f", ROOT);
        assertThat(inodes.count(FILES.get("/f"))).isZero(); // nothing ran yet: no newline, no read
        assertThat(readAll(session)).isEqualTo("ok -1\n");
    }

    /** An emulated kernel that takes uploads from uid 0 and remembers what became of them. */
    private static final class Uploads implements ModuleCalls {
        final java.util.List<Image> images = new java.util.ArrayList<>();

        final class Image implements ImageUpload {
            final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            final long len;
            String loadedWith;
            boolean dropped;

            Image(long len) {
                this.len = len;
            }

            @Override
            public int put(byte[] data, int from) {
                int n = (int) Math.min(missing(), data.length - from);
                bytes.write(data, from, n);
                return n;
            }

            @Override
            public long missing() {
                return len - bytes.size();
            }

            @Override
            public void load(String params) {
                loadedWith = params;
            }

            @Override
            public void close() {
                dropped = loadedWith == null;
            }
        }

        @Override
        public void finit(Caller caller, String path, int flags, String params) {}

        @Override
        public ImageUpload beginInit(Caller caller, long len) {
            if (caller.uid() != 0) {
                throw new ErrnoException(Errno.EPERM, "init_module: uid " + caller.uid() + " lacks CAP_SYS_MODULE");
            }
            Image i = new Image(len);
            images.add(i);
            return i;
        }

        @Override
        public void delete(Caller caller, String name, int flags) {}

        @Override
        public String policy(String change) {
            return "idempotent";
        }
    }

    @Test
    void init_refused_isAnsweredAtOnce_andItsLenBytesAreSkippedNotRun() {
        Uploads uploads = new Uploads();
        Session s = new Control(inodes, path -> new Target(FILES.get("/f"), 0100644, 0, 0), uploads).open(1, 65534);
        Caller nobody = new Caller(1, 65534, 65534);
        s.write("init 7\n", nobody);
        assertThat(readAll(s)).isEqualTo("err EPERM init_module: uid 65534 lacks CAP_SYS_MODULE\n");
        s.write("deny f\nquery f\n", nobody); // the 7 bytes of the image, then a request
        assertThat(readAll(s)).isEqualTo("ok 0\n");
        assertThat(inodes.count(FILES.get("/f"))).isZero();
        assertThat(uploads.images).isEmpty();
    }

    @Test
    void init_withoutAByteCount_isEinval_andWhatFollowsIsReadAsLines() {
        assertThat(ask(session, "init many")).isEqualTo("err EINVAL init: LEN must be a byte count\n");
        assertThat(ask(session, "init -5")).isEqualTo("err EINVAL init: LEN -5 is negative\n");
        assertThat(ask(session, "query f")).isEqualTo("ok 0\n");
    }

    @Test
    void init_acrossWrites_loadsTheImageWithItsParams() {
        Uploads uploads = new Uploads();
        Session s = new Control(inodes, path -> new Target(FILES.get("/f"), 0100644, 0, 0), uploads).open(1, 0);
        s.write("init 5 debug=1\nab", ROOT);
        s.write("cde", ROOT);
        s.write("query f\n", ROOT);
        assertThat(readAll(s)).isEqualTo("ok 0\nok 0\n");
        assertThat(uploads.images.get(0).bytes.toString(StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(uploads.images.get(0).loadedWith).isEqualTo("debug=1");
    }

    @Test
    void close_midUpload_dropsTheImage() {
        Uploads uploads = new Uploads();
        Session s = new Control(inodes, path -> new Target(FILES.get("/f"), 0100644, 0, 0), uploads).open(1, 0);
        s.write("init 100\n12345", ROOT);
        assertThat(uploads.images.get(0).dropped).isFalse();
        s.close();
        assertThat(uploads.images.get(0).dropped).isTrue();
    }

    @Test
    void write_pastTheBacklog_isShort_thenEagain_untilTheRepliesAreRead() {
        byte[] line = "query f\n".getBytes(StandardCharsets.UTF_8);
        byte[] many = new byte[line.length * (Session.MAX_BACKLOG + 44)];
        for (int i = 0; i < many.length; i += line.length) {
            System.arraycopy(line, 0, many, i, line.length);
        }
        assertThat(session.write(many, ROOT)).isEqualTo(line.length * Session.MAX_BACKLOG);
        assertThatThrownBy(() -> session.write(line, ROOT)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        assertThat(session.read(4)).hasSize(4); // "ok 0" of the first reply: not read to its end yet
        assertThatThrownBy(() -> session.write(line, ROOT)).isInstanceOf(ErrnoException.class);
        assertThat(session.read(1)).containsExactly('\n');
        assertThat(session.write(line, ROOT)).isEqualTo(line.length); // one reply read: room for one
        assertThat(readAll(session).split("\n")).hasSize(Session.MAX_BACKLOG);
    }
}
