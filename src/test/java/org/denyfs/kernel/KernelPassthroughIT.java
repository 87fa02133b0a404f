package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.denyfs.user.client.MountStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kernel FUSE passthrough (-o passthrough=auto, the default) on a real mount: the data of backing
 * files goes from the kernel to BACKING without the daemon, proved by the daemon's own READ and
 * WRITE counters in {@code status}, while every write-count rule still holds because OPEN, CREATE
 * and RELEASE still come to it. Needs Linux 6.9+ with CONFIG_FUSE_PASSTHROUGH (skipped without it)
 * and a root daemon.
 */
@OnOneMount.MountedWith("passthrough=auto")
class KernelPassthroughIT extends OnOneMount {
    private static final String ETXTBSY = "Text file busy";

    /** Skips on a kernel without passthrough; any other reason to be off is a failure (the tests' daemon is root). */
    @BeforeAll
    static void passthroughIsOn() throws IOException {
        Map<String, String> s = status();
        assumeTrue(!"kernel".equals(s.get("passthrough_off")), "this kernel offers no FUSE passthrough");
        assertThat(s.get("passthrough")).as("passthrough (off because %s)", s.get("passthrough_off")).isEqualTo("on");
    }

    private static Map<String, String> status() throws IOException {
        try (Client c = Client.open(m.mnt)) {
            return status(c);
        }
    }

    /** The status figures of the mount {@code c} is a client of. */
    private static Map<String, String> status(Client c) throws IOException {
        String reply = c.request("status");
        assertThat(reply).startsWith("ok ");
        return MountStatus.fields(reply.substring(3));
    }

    private static long figure(String name) throws IOException {
        return Long.parseLong(status().get(name));
    }

    private static int count(String name) {
        try {
            return m.count(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (30 s at most) until the status figure {@code name} satisfies {@code wanted}. */
    private static void awaitFigure(String what, String name, java.util.function.LongPredicate wanted) {
        LiveMount.await(what, Duration.ofSeconds(30), () -> {
            try {
                return wanted.test(figure(name));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void awaitNoBackingIds() {
        awaitFigure("every backing id closed", "backing_ids", n -> n == 0);
    }

    @Test
    void mount_withPassthroughOn_mountsWhereTheKernelAllows() throws IOException {
        try (LiveMount on = LiveMount.start("passthrough=on"); Client c = Client.open(on.mnt)) {
            assertThat(c.request("status")).contains(" passthrough=on ");
        }
    }

    @Test
    void read_withPassthroughOff_reachesTheDaemon() throws IOException {
        try (LiveMount off = LiveMount.start("passthrough=off"); Client c = Client.open(off.mnt)) {
            Files.writeString(off.backing.resolve("f"), "data\n");
            assertThat(Files.readString(off.mnt.resolve("f"))).isEqualTo("data\n");
            assertThat(c.request("status")).contains(" passthrough=off passthrough_off=option ").doesNotContain(" reads=0 ");
        }
    }

    @Test
    void read_withPassthrough_neverReachesTheDaemon() throws IOException {
        Path f = m.backing.resolve("r1");
        byte[] data = new byte[3 << 20];
        new java.util.Random(1).nextBytes(data);
        Files.write(f, data);
        long reads = figure("reads");
        long opens = figure("passthrough_opens");
        assertThat(Proc.sh(m.mnt, "cat r1 > /dev/null && dd if=r1 of=/dev/null bs=4k skip=100 count=50 status=none").status())
                .isZero();
        assertThat(Files.readAllBytes(m.mnt.resolve("r1"))).isEqualTo(data);
        assertThat(figure("reads")).isEqualTo(reads);
        assertThat(figure("passthrough_opens")).isGreaterThanOrEqualTo(opens + 3);
    }

    @Test
    void write_withPassthrough_neverReachesTheDaemon_andLandsInBacking() throws IOException {
        long writes = figure("writes");
        assertThat(Proc.sh(m.mnt, "dd if=/dev/zero of=w1 bs=128k count=16 status=none && echo tail >> w1").status()).isZero();
        assertThat(Files.size(m.backing.resolve("w1"))).isEqualTo(16 * 131072 + 5);
        assertThat(Files.size(m.mnt.resolve("w1"))).isEqualTo(16 * 131072 + 5);
        assertThat(figure("writes")).isEqualTo(writes);
    }

    @Test
    void openForWrite_withPassthrough_stillTakesWriteAccess() throws Exception {
        m.file("pw", "x\n");
        try (Holder writer = Holder.sh(m.mnt, "exec 3>>pw")) {
            assertThat(count("pw")).isEqualTo(1);
            try (Client c = Client.open(m.mnt)) {
                assertThat(c.request("deny pw")).startsWith("err ETXTBSY");
            }
        }
        LiveMount.await("writer's release", Duration.ofSeconds(30), () -> count("pw") == 0);
    }

    @Test
    void mmapWriter_withPassthrough_writesBacking_andHoldsWriteAccessUntilUnmapped() throws Exception {
        m.file("mm", "0123456789");
        String py = "import mmap,os,sys\n"
                + "fd=os.open('mm',os.O_RDWR); mm=mmap.mmap(fd,10); os.close(fd)\n"
                + "mm[0:5]=b'hello'; mm.flush(); print('ready', flush=True); sys.stdin.readline()\n";
        try (Holder writer = Holder.start(m.mnt, List.of("python3", "-c", py), "ready")) {
            assertThat(Files.readString(m.backing.resolve("mm"))).isEqualTo("hello56789");
            // the descriptor is closed, the mapping still writes: the kernel has not released the file
            assertThat(count("mm")).isEqualTo(1);
            try (Client c = Client.open(m.mnt)) {
                assertThat(c.request("deny mm")).startsWith("err ETXTBSY");
            }
        }
        LiveMount.await("mapping's release", Duration.ofSeconds(30), () -> count("mm") == 0);
    }

    /** mapwriter (native-test/src/mapwriter.c) on {@code name}: mapped, closed, written through the mapping. */
    private static Holder mapWriter(String name, String... options) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Proc.tool("mapwriter").toString()));
        cmd.addAll(List.of(options));
        cmd.add(name);
        return Holder.start(m.mnt, cmd, "ready");
    }

    private static String request(String line) throws IOException {
        try (Client c = Client.open(m.mnt)) {
            return c.request(line);
        }
    }

    /**
     * The kernel's rule: a mapping holds its open file, and an open file with write access holds the
     * inode's write count, so a shared writable mapping keeps the file "open for write" from close(2)
     * to munmap(2). With passthrough the RELEASE comes at the close, so the daemon must see the mapping.
     */
    @Test
    void sharedWritableMapping_afterClose_keepsWriteAccess_untilMunmap() throws Exception {
        Path f = m.file("mw1", "0123456789");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        long opens = figure("passthrough_opens");
        try (Holder writer = mapWriter("mw1")) {
            assertThat(Files.readString(m.backing.resolve("mw1"))).startsWith("hello");
            // the open passed through (else its RELEASE would wait for the munmap and prove nothing)
            assertThat(figure("passthrough_opens")).isEqualTo(opens + 1);
            // its RELEASE is asynchronous: once it lands, the hold is kept, not given back
            awaitFigure("the closed writer's RELEASE", "mapped_writers", n -> n > 0);
            assertThat(count("mw1")).isEqualTo(1);
            assertThat(request("deny mw1")).startsWith("err ETXTBSY");
            assertThat(Proc.sh(m.mnt, "./mw1").err()).contains("mw1: " + ETXTBSY);
            assertThat(writer.finish()).isZero();
        }
        // the writer unmapped and exited: nothing may write any more, so the deny is granted at once
        assertThat(request("deny mw1")).startsWith("ok ");
        assertThat(Files.readString(m.backing.resolve("mw1"))).startsWith("hello!");
    }

    @Test
    void sharedMapping_madeWritableByMprotectAfterClose_keepsWriteAccess_untilMunmap() throws Exception {
        m.file("mw2", "0123456789");
        try (Holder writer = mapWriter("mw2", "-p")) {
            assertThat(request("deny mw2")).startsWith("err ETXTBSY");
            assertThat(writer.finish()).isZero();
        }
        assertThat(request("deny mw2")).startsWith("ok ");
    }

    @Test
    void sharedWritableMapping_inheritedByAChild_keepsWriteAccess_afterTheParentUnmaps() throws Exception {
        m.file("mw3", "0123456789");
        try (Holder writer = mapWriter("mw3", "-f")) {
            assertThat(request("deny mw3")).startsWith("err ETXTBSY");
            assertThat(writer.finish()).isZero();
        }
        assertThat(request("deny mw3")).startsWith("ok ");
    }

    @Test
    void readWriteOpen_closedWithoutAMapping_givesItsWriteAccessBackAtTheClose() throws IOException {
        m.file("rw1", "x\n");
        assertThat(Proc.sh(m.mnt, "exec 3<>rw1; echo y >&3; exec 3<&-").status()).isZero();
        assertThat(request("query rw1")).isEqualTo("ok 0");
        assertThat(request("deny rw1")).startsWith("ok ");
    }

    @Test
    void readWriteOpens_closedWithoutAMapping_goBackWithoutAnyoneAsking() throws IOException {
        Files.createDirectories(m.backing.resolve("many"));
        assertThat(Proc.sh(m.mnt, "for i in $(seq 300); do : <> many/f$i; done").status()).isZero();
        // kept until the daemon's own look at /proc, which a keep schedules: nobody has to ask
        awaitFigure("kept write holds back", "mapped_writers", n -> n == 0);
    }

    @Test
    void execve_fromTheMount_withPassthrough_runs_andDeniesWriters() throws Exception {
        Path p = m.backing.resolve("prog");
        Files.copy(Path.of("/bin/sleep"), p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        long opens = figure("passthrough_opens");
        try (Holder running = Holder.start(m.mnt, List.of("sh", "-c", "echo ready; exec ./prog 600"), "ready")) {
            LiveMount.await("exec deny on prog", Duration.ofSeconds(30), () -> count("prog") == -1);
            Proc.Result r = Proc.sh(m.mnt, "echo x >> prog");
            assertThat(r.err()).contains("prog: " + ETXTBSY);
            assertThat(figure("passthrough_opens")).isGreaterThan(opens);
        }
        LiveMount.await("exec's release", Duration.ofSeconds(30), () -> count("prog") == 0);
        assertThat(Proc.sh(m.mnt, "echo x >> prog").status()).isZero();
    }

    @Test
    void openTrunc_andTruncate_withPassthrough_areSeenThroughTheMountAndInBacking() throws IOException {
        m.file("t1", "0123456789");
        assertThat(Proc.sh(m.mnt, "cat t1 > /dev/null; echo ab > t1").status()).isZero();
        assertThat(Files.readString(m.mnt.resolve("t1"))).isEqualTo("ab\n");
        assertThat(Files.readString(m.backing.resolve("t1"))).isEqualTo("ab\n");
        assertThat(Proc.sh(m.mnt, "truncate -s 1 t1 && truncate -s 5 t1").status()).isZero();
        assertThat(Files.readAllBytes(m.mnt.resolve("t1"))).containsExactly('a', 0, 0, 0, 0);
        assertThat(Files.size(m.backing.resolve("t1"))).isEqualTo(5);
    }

    @Test
    void truncate_whileDenied_withPassthrough_failsEtxtbsy() throws IOException {
        m.file("t2", "keep\n");
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("deny t2")).isEqualTo("ok -1");
            assertThat(Proc.sh(m.mnt, "truncate -s 0 t2").err()).contains(ETXTBSY);
            assertThat(Proc.sh(m.mnt, "echo x > t2").err()).contains(ETXTBSY);
        }
        assertThat(Files.readString(m.backing.resolve("t2"))).isEqualTo("keep\n");
    }

    @Test
    void hardLinks_withPassthrough_shareOneBackingId_andSeeEachOthersWrites() throws Exception {
        awaitNoBackingIds();
        m.file("h1", "one\n");
        Files.createLink(m.backing.resolve("h2"), m.backing.resolve("h1"));
        try (Holder a = Holder.sh(m.mnt, "exec 3>>h1"); Holder b = Holder.sh(m.mnt, "exec 4<h2")) {
            assertThat(figure("backing_ids")).isEqualTo(1);
            assertThat(count("h2")).isEqualTo(1);
            assertThat(Proc.sh(m.mnt, "echo two >> h1").status()).isZero();
            assertThat(Files.readString(m.mnt.resolve("h2"))).isEqualTo("one\ntwo\n");
            assertThat(Proc.sh(m.mnt, "exec 3<>h2; echo " + "x" + " >&3").status()).isZero();
        }
        awaitNoBackingIds();
        assertThat(Files.readString(m.mnt.resolve("h1"))).isEqualTo("x\ne\ntwo\n");
    }

    @Test
    void backingId_lastRelease_parksIt_andTheLastLinksRemovalClosesIt() throws Exception {
        awaitNoBackingIds();
        m.file("l1", "x");
        long parked = figure("backing_ids_parked");
        try (Holder a = Holder.sh(m.mnt, "exec 3<l1"); Holder b = Holder.sh(m.mnt, "exec 3<l1")) {
            assertThat(figure("backing_ids")).isEqualTo(1);
            b.finish();
            assertThat(figure("backing_ids")).isEqualTo(1);
        }
        awaitNoBackingIds();
        assertThat(figure("backing_ids_parked")).isEqualTo(parked + 1);
        // the next open takes the parked id back, and its release parks it again
        assertThat(Files.readString(m.mnt.resolve("l1"))).isEqualTo("x");
        awaitNoBackingIds();
        assertThat(figure("backing_ids_parked")).isEqualTo(parked + 1);
        assertThat(Proc.sh(m.mnt, "rm l1").status()).isZero();
        assertThat(figure("backing_ids_parked")).isEqualTo(parked);
    }

    @Test
    void open_withPassthrough_autoCacheCheckIsAnsweredByTheFilter_notTheDaemon() throws Exception {
        m.file("ac", "abc");
        assertThat(Files.readString(m.mnt.resolve("ac"))).isEqualTo("abc"); // libfuse's first open of the node: no check
        long spared = figure("auto_cache_checks_spared");
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readString(m.mnt.resolve("ac"))).isEqualTo("abc");
        }
        assertThat(figure("auto_cache_checks_spared")).isEqualTo(spared + 3);
    }

    @Test
    void backingIds_parkedPastTheCap_theLeastRecentlyReleasedIsClosed() throws Exception {
        try (LiveMount two = LiveMount.start("backing_ids_parked=2"); Client c = Client.open(two.mnt)) {
            for (String name : List.of("p1", "p2", "p3")) {
                two.file(name, name);
            }
            for (String name : List.of("p1", "p2", "p3")) {
                assertThat(Files.readString(two.mnt.resolve(name))).isEqualTo(name);
                // RELEASE is asynchronous: each is served before the next file's, so they park in this order
                awaitReleased(c);
            }
            assertThat(status(c).get("backing_ids_parked")).isEqualTo("2");
            long opens = Long.parseLong(status(c).get("passthrough_opens"));
            // p3 and p2 are still parked: opening them makes no new id, and p1's open makes one
            assertThat(Files.readString(two.mnt.resolve("p3"))).isEqualTo("p3");
            awaitReleased(c);
            assertThat(Files.readString(two.mnt.resolve("p1"))).isEqualTo("p1");
            awaitReleased(c);
            Map<String, String> after = status(c);
            assertThat(after.get("backing_ids_parked")).isEqualTo("2");
            assertThat(Long.parseLong(after.get("passthrough_opens"))).isEqualTo(opens + 2);
            assertThat(Long.parseLong(after.get("backing_ids_made"))).isEqualTo(4);
        }
    }

    @Test
    void backingIds_withNoneParked_eachLastReleaseClosesItsId() throws Exception {
        try (LiveMount none = LiveMount.start("backing_ids_parked=0"); Client c = Client.open(none.mnt)) {
            none.file("q1", "q1");
            assertThat(Files.readString(none.mnt.resolve("q1"))).isEqualTo("q1");
            awaitReleased(c); // else the second open could share the first one's id before its RELEASE
            assertThat(Files.readString(none.mnt.resolve("q1"))).isEqualTo("q1");
            awaitReleased(c);
            assertThat(status(c).get("backing_ids_parked")).isEqualTo("0");
            assertThat(Long.parseLong(status(c).get("backing_ids_made"))).isEqualTo(2);
        }
    }

    /** Waits until every RELEASE so far has been served: no backing id is held by an open. */
    private static void awaitReleased(Client c) {
        LiveMount.await("every backing id released", Duration.ofSeconds(30), () -> {
            try {
                return status(c).get("backing_ids").equals("0");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }


    @Test
    void open_ofAFileReplacedInBackingWhileAnEarlierOpenIsHeld_failsEstale_untilThatOneCloses() throws Exception {
        awaitNoBackingIds();
        m.file("rp", "old\n");
        try (Holder old = Holder.sh(m.mnt, "exec 3<rp")) {
            // behind the mount's back: another inode under the same name
            Files.writeString(m.backing.resolve("rp.new"), "new\n");
            Files.move(m.backing.resolve("rp.new"), m.backing.resolve("rp"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // the kernel's inode is bound to the old backing file while the old open lasts
            Proc.Result r = Proc.sh(m.mnt, "cat rp");
            assertThat(r.status()).isNotZero();
            assertThat(r.err()).contains("rp: Stale file handle");
            assertThat(old.finish()).isZero();
        }
        awaitNoBackingIds();
        assertThat(Proc.sh(m.mnt, "cat rp").out()).isEqualTo("new\n");
    }

    @Test
    void open_rightAfterTheOldOpenClosedAndTheFileWasReplacedInBacking_opensTheNewFile() throws Exception {
        m.file("rr", "v00\n");
        for (int i = 1; i <= 20; i++) {
            assertThat(Files.readString(m.mnt.resolve("rr"))).isEqualTo(String.format("v%02d%n", i - 1));
            // replaced behind the mount while the read's RELEASE may still be on its way to the daemon
            Files.writeString(m.backing.resolve("rr.new"), String.format("v%02d%n", i));
            Files.move(m.backing.resolve("rr.new"), m.backing.resolve("rr"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        assertThat(Files.readString(m.mnt.resolve("rr"))).isEqualTo("v20\n");
    }

    @Test
    void backingId_parkedAfterAWriteOpen_leavesTheBackingInodesOwnWriteCountAlone() throws Exception {
        awaitNoBackingIds();
        // a write open makes the id: the kernel keeps the file it was made from while the id is parked
        assertThat(Proc.sh(m.mnt, "cp /bin/true tw && chmod 755 tw").status()).isZero();
        awaitNoBackingIds();
        assertThat(figure("backing_ids_parked")).isPositive();
        // so that file must not be the writable one: BACKING's own program still runs (no ETXTBSY)
        Proc.Result r = Proc.sh(m.backing, "./tw");
        assertThat(r.status()).as(r.all()).isZero();
    }

    @Test
    void backingId_ofAFileRemovedWhileOpen_isClosedAtItsLastRelease_notParked() throws Exception {
        awaitNoBackingIds();
        m.file("l2", "x");
        long parked = figure("backing_ids_parked");
        try (Holder a = Holder.sh(m.mnt, "exec 3<l2")) {
            assertThat(Proc.sh(m.mnt, "rm l2").status()).isZero();
            assertThat(a.finish()).isZero();
        }
        awaitNoBackingIds();
        assertThat(figure("backing_ids_parked")).isEqualTo(parked);
    }

    @Test
    void controlFile_withPassthrough_isStillServedByTheDaemon() throws IOException {
        m.file("cq", "x");
        long opens = figure("passthrough_opens");
        long reads = figure("reads");
        try (Client c = Client.open(m.mnt)) {
            assertThat(c.request("query cq")).isEqualTo("ok 0");
        }
        assertThat(Files.readString(m.mnt.resolve(".denyfs/proc/modules"))).isEmpty();
        // status itself is a control-file request: only backing files pass through or count as READ
        assertThat(figure("passthrough_opens")).isEqualTo(opens);
        assertThat(figure("reads")).isEqualTo(reads);
    }

    @Test
    void backingChangedBehindTheMount_sameSizeAndMtime_isReadAtTheNextOpen() throws Exception {
        Path b = m.backing.resolve("bb");
        Files.writeString(b, "old!\n");
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(b);
        assertThat(Files.readString(m.mnt.resolve("bb"))).isEqualTo("old!\n");
        assertThat(Files.readString(m.mnt.resolve("bb"))).isEqualTo("old!\n"); // pages warm, if the mount kept any
        try (var ch = java.nio.channels.FileChannel.open(b, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("new!\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        Files.setLastModifiedTime(b, mtime); // nothing auto_cache could see: only the backing pages changed
        assertThat(Files.readString(m.mnt.resolve("bb"))).isEqualTo("new!\n");
    }

    @Test
    void backingOnOverlayfs_asksForStackDepth2_andPassesThrough() throws IOException {
        Path dir = Files.createTempDirectory("denyfs-it-overlay-");
        for (String d : List.of("lower", "upper", "work", "merged")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.writeString(dir.resolve("lower/f"), "lower\n");
        Path merged = dir.resolve("merged");
        Proc.Result mounted = Proc.run(dir, List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + dir.resolve("lower")
                + ",upperdir=" + dir.resolve("upper") + ",workdir=" + dir.resolve("work"), merged.toString()));
        assumeTrue(mounted.status() == 0, "no overlayfs here: " + mounted.err());
        try (LiveMount ov = LiveMount.over(merged, "passthrough=auto"); Client c = Client.open(ov.mnt)) {
            assertThat(Files.readString(ov.mnt.resolve("f"))).isEqualTo("lower\n");
            assertThat(Proc.sh(ov.mnt, "echo up >> f").status()).isZero();
            assertThat(Files.readString(dir.resolve("upper/f"))).isEqualTo("lower\nup\n");
            assertThat(c.request("status")).contains(" passthrough=on ").contains(" reads=0 writes=0 ")
                    .contains(" backing_refusals=0");
        } finally {
            // never through a mount that is still there
            if (Proc.run(dir, List.of("umount", merged.toString())).status() == 0) {
                Proc.run(Path.of("/"), List.of("rm", "-rf", "--one-file-system", dir.toString()));
            }
        }
    }

    @Test
    void finitModule_onAFileOpenedThroughTheMount_isReadByTheDaemonItself() throws IOException {
        ModuleTree tree = ModuleTree.require();
        Path preload = Path.of(System.getenv().getOrDefault("DENYFS_NATIVE", "target/native"), "libdenyfs-preload.so")
                .toAbsolutePath();
        try (LiveMount mods = LiveMount.over(tree.root(), "init_ms=0,passthrough=auto"); Client c = Client.open(mods.mnt)) {
            Proc.Result r = Proc.run(mods.mnt, List.of("env", "LD_PRELOAD=" + preload, "DENYFS_MOUNT=" + mods.mnt,
                    Proc.tool("modcall").toString(), "finit", mods.mnt.resolve(tree.ko("cryptd")).toString(), "0", ""));
            assertThat(r.out().strip()).as(r.err()).isEqualTo("ok");
            assertThat(Files.readString(mods.mnt.resolve(".denyfs/proc/modules"))).startsWith("cryptd ");
            String status = c.request("status");
            assertThat(status).contains(" passthrough=on ").doesNotContain(" passthrough_opens=0 ").contains(" reads=0 ");
        }
    }
}
