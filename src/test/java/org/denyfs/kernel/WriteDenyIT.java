package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/**
 * The rules of REFERENCE sections 1 and 2 on a real mount, each driven by real processes and
 * checked by the errno text they print. Test names follow the kernel function or syscall.
 */
class WriteDenyIT extends OnOneMount {
    private static final String ETXTBSY = "Text file busy";

    private static Path program(String name) throws IOException {
        Path p = m.backing.resolve(name);
        Files.copy(Path.of("/bin/sleep"), p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return m.mnt.resolve(name);
    }

    /** A running copy of sleep started from the mount, once the daemon has seen its exec open. */
    private static Holder run(Path program, String backingName, int expectedCount) throws IOException {
        Holder h = Holder.start(m.mnt, List.of("sh", "-c", "echo ready; exec " + program + " 600"), "ready");
        LiveMount.await("exec deny on " + backingName, Duration.ofSeconds(30), () -> count(backingName) == expectedCount);
        return h;
    }

    private static int count(String name) {
        try {
            return m.count(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void openForWrite_whileDenied_failsEtxtbsy() throws IOException {
        m.file("d1", "x\n");
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("deny d1")).isEqualTo("ok -1");
            Proc.Result r = Proc.sh(m.mnt, "echo more >> d1");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains("d1: " + ETXTBSY);
        }
        assertThat(Proc.sh(m.mnt, "echo more >> d1").status()).isZero();
        assertThat(Files.readString(m.backing.resolve("d1"))).isEqualTo("x\nmore\n");
    }

    @Test
    void openReadOnly_whileDenied_succeeds() throws IOException {
        m.file("d2", "content\n");
        try (Client c = Client.open(m.mnt)) {
            c.request("deny d2");
            Proc.Result r = Proc.sh(m.mnt, "cat d2");
            assertThat(r.status()).isZero();
            assertThat(r.out()).isEqualTo("content\n");
        }
    }

    @Test
    void denyWriteAccess_whileOpenForWrite_failsEtxtbsy() throws Exception {
        m.file("w1", "");
        try (Holder writer = Holder.sh(m.mnt, "exec 3>>w1"); Client c = Client.open(m.mnt)) {
            assertThat(count("w1")).isEqualTo(1);
            assertThat(c.request("deny w1")).isEqualTo("err ETXTBSY deny_write_access: 1 writer");
            assertThat(c.request("xdeny w1")).isEqualTo("err ETXTBSY exclusive_deny_write_access: 1 writer");
            assertThat(writer.finish()).isZero();
            // close(2) has returned in the writer: the deny must succeed now, not eventually.
            assertThat(c.request("deny w1")).isEqualTo("ok -1");
        }
    }

    @Test
    void openReadOnly_takesNoWriteAccess() throws Exception {
        m.file("r1", "x");
        try (Holder reader = Holder.sh(m.mnt, "exec 3<r1"); Client c = Client.open(m.mnt)) {
            assertThat(count("r1")).isZero();
            assertThat(c.request("deny r1")).isEqualTo("ok -1");
            assertThat(reader.finish()).isZero();
        }
    }

    @Test
    void denyWriteAccess_deniersStack_andAllowUndoesOne() throws IOException {
        m.file("s1", "");
        try (Client a = Client.open(m.mnt); Client b = Client.open(m.mnt)) {
            assertThat(a.request("deny s1")).isEqualTo("ok -1");
            assertThat(b.request("deny s1")).isEqualTo("ok -2");
            assertThat(a.request("deny /s1")).isEqualTo("ok -3");
            assertThat(b.request("allow s1")).isEqualTo("ok -2");
            assertThat(b.request("allow s1")).startsWith("err EINVAL");
        }
        // Closing a control handle allows what it held once its (asynchronous) RELEASE lands.
        LiveMount.await("control handles released", Duration.ofSeconds(30), () -> count("s1") == 0);
    }

    @Test
    void exclusiveDenyWriteAccess_whileDenied_failsEtxtbsy_andDeniesStackOnIt() throws IOException {
        m.file("x1", "");
        try (Client a = Client.open(m.mnt); Client b = Client.open(m.mnt)) {
            assertThat(a.request("xdeny x1")).isEqualTo("ok -1");
            assertThat(b.request("xdeny x1")).isEqualTo("err ETXTBSY exclusive_deny_write_access: 1 denier");
            assertThat(b.request("deny x1")).isEqualTo("ok -2");
            assertThat(Proc.sh(m.mnt, "echo > x1").err()).contains(ETXTBSY);
        }
    }

    @Test
    void execve_whileOpenForWrite_failsEtxtbsy() throws Exception {
        Path prog = program("e1");
        try (Holder writer = Holder.sh(m.mnt, "exec 3>>e1")) {
            Proc.Result r = Proc.sh(m.mnt, prog + " 0");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains(ETXTBSY);
            writer.finish();
        }
        assertThat(Proc.sh(m.mnt, prog + " 0").status()).isZero();
    }

    @Test
    void execve_whileOpenForWriteThroughOtherHardLink_failsEtxtbsy() throws Exception {
        Path prog = program("e2");
        Files.createLink(m.backing.resolve("e2link"), m.backing.resolve("e2"));
        try (Holder writer = Holder.sh(m.mnt, "exec 3>>e2link")) {
            Proc.Result r = Proc.sh(m.mnt, prog + " 0");
            assertThat(r.err()).contains(ETXTBSY);
            writer.finish();
        }
    }

    @Test
    void openForWrite_whileRunning_failsEtxtbsy() throws Exception {
        Path prog = program("p1");
        try (Holder running = run(prog, "p1", -1)) {
            Proc.Result r = Proc.sh(m.mnt, "echo > p1");
            assertThat(r.err()).as("%s; count now %d", r.all(), count("p1")).contains("p1: " + ETXTBSY);
        }
    }

    /**
     * The daemon, not the kernel, refuses this writer: libfuse2 gives each hard link its own FUSE
     * inode, so the kernel's i_writecount on the link being written is 0. Only the per-backing-inode
     * count can say ETXTBSY.
     */
    @Test
    void openForWrite_whileRunningFromOtherHardLink_failsEtxtbsy() throws Exception {
        Path prog = program("p2");
        Files.createLink(m.backing.resolve("p2link"), m.backing.resolve("p2"));
        try (Holder running = run(prog, "p2", -1)) {
            assertThat(count("p2link")).isEqualTo(-1);
            Proc.Result r = Proc.sh(m.mnt, "echo > p2link");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains("p2link: " + ETXTBSY);
        }
    }

    @Test
    void getWriteAccess_afterProgramExits_succeeds() throws Exception {
        Path prog = program("p3");
        Files.createLink(m.backing.resolve("p3link"), m.backing.resolve("p3"));
        // The program has exited when sh runs the next command; its RELEASE may still be in flight.
        Proc.Result r = Proc.sh(m.mnt, prog + " 0 && echo > p3link");
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
    }

    @Test
    void execve_runningCopiesStackDeniers() throws Exception {
        Path prog = program("p4");
        List<Holder> copies = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                copies.add(run(prog, "p4", -i));
            }
            assertThat(count("p4")).isEqualTo(-3);
        } finally {
            copies.forEach(Holder::close);
        }
        LiveMount.await("all copies released", Duration.ofSeconds(30), () -> count("p4") == 0);
    }

    @Test
    void truncate_whileDenied_failsEtxtbsy() throws IOException {
        m.file("t1", "12345");
        try (Client c = Client.open(m.mnt)) {
            c.request("deny t1");
            Proc.Result r = Proc.sh(m.mnt, "truncate -s 0 t1");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains(ETXTBSY);
        }
        assertThat(Files.size(m.backing.resolve("t1"))).isEqualTo(5);
        assertThat(Proc.sh(m.mnt, "truncate -s 2 t1").status()).isZero();
        assertThat(Files.size(m.backing.resolve("t1"))).isEqualTo(2);
        // truncate(1) opens for write and ftruncates: that open's RELEASE is asynchronous
        LiveMount.await("truncate's write handle released", java.time.Duration.ofSeconds(30), () -> count("t1") == 0);
    }

    @Test
    void openTrunc_whileDenied_failsEtxtbsy_andLeavesTheDataAlone() throws IOException {
        m.file("t2", "keep");
        try (Client c = Client.open(m.mnt)) {
            c.request("deny t2");
            assertThat(Proc.sh(m.mnt, ": > t2").err()).contains(ETXTBSY);
        }
        assertThat(Files.readString(m.backing.resolve("t2"))).isEqualTo("keep");
    }

    @Test
    void ftruncate_onWriteHandle_takesNothingNew() throws Exception {
        m.file("t3", "123456");
        Path tool = Proc.tool("ftrunc");
        try (Holder h = Holder.start(m.mnt, List.of(tool.toString(), "t3", "3"), "opened")) {
            assertThat(count("t3")).isEqualTo(1);
            h.go();
            assertThat(h.line()).isEqualTo("truncated");
            assertThat(count("t3")).isEqualTo(1);
            assertThat(h.finish()).isZero();
        }
        assertThat(Files.size(m.backing.resolve("t3"))).isEqualTo(3);
    }

    @Test
    void writeCount_isPerInode_hardLinksShareIt() throws Exception {
        m.file("h1", "");
        Files.createLink(m.backing.resolve("h1link"), m.backing.resolve("h1"));
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("deny h1")).isEqualTo("ok -1");
            assertThat(c.request("query h1link")).isEqualTo("ok -1");
            assertThat(Proc.sh(m.mnt, "echo >> h1link").err()).contains(ETXTBSY);
        }
    }

    @Test
    void writeCount_copyIsANewInode() throws Exception {
        m.file("c1", "data");
        try (Client c = Client.open(m.mnt)) {
            c.request("deny c1");
            Proc.Result r = Proc.sh(m.mnt, "cp c1 c1copy && echo more >> c1copy");
            assertThat(r.status()).isZero();
            assertThat(c.request("query c1copy")).isEqualTo("ok 0");
        }
    }

    @Test
    void writeCount_survivesRename() throws Exception {
        m.file("n1", "data");
        try (Client c = Client.open(m.mnt)) {
            c.request("deny n1");
            assertThat(Proc.sh(m.mnt, "mv n1 n2").status()).isZero();
            assertThat(c.request("query n2")).isEqualTo("ok -1");
            assertThat(Proc.sh(m.mnt, "echo >> n2").err()).contains(ETXTBSY);
            assertThat(c.request("allow n2")).isEqualTo("ok 0");
        }
    }

    @Test
    void writeCount_idleInodesLeaveNoEntry() throws Exception {
        m.file("i1", "");
        assertThat(Proc.sh(m.mnt, "for i in 1 2 3 4 5; do echo $i >> i1; done; cat i1 > /dev/null").status()).isZero();
        LiveMount.await("every handle released", Duration.ofSeconds(30), () -> m.mount.view().openHandles() == 0);
        assertThat(m.mount.view().inodeEntries()).isZero();
    }
}
