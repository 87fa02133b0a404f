package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.denyfs.kernel.fuse.FuseLoop;
import org.denyfs.testing.ModuleTree;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A finit_module that waits for another caller's load of the same file (an idempotent group) holds
 * no FUSE worker thread: the FINIT ioctl answers with a ticket and the caller waits in poll(2) on a
 * non-blocking control handle, which the daemon answers with EAGAIN until the reply is there and
 * then wakes through FUSE POLL. Real processes on a real mount; the daemon's own figures (its FUSE
 * workers alive, its calls waiting without a thread) prove it, not a clock. The first loader's
 * module init waits on a latch the test opens, so the group stays open however slowly the others
 * start: nothing here depends on timing.
 */
class WaitWithoutThreadIT {
    private static final int WAITERS = 64;
    private static ModuleTree tree;
    /** Opened by each test once its callers wait (and in its finally): every module's init ends then. */
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    /** A module init that lasts until the test releases it (or two minutes, for a test that fails). */
    private LiveMount heldMount(String options) throws IOException {
        return LiveMount.over(tree.root(), options, (module, params) -> release.await(120, TimeUnit.SECONDS));
    }

    @BeforeAll
    static void tree() {
        tree = ModuleTree.require();
    }

    @Test
    void finit_waitingInIdempotentGroup_holdsNoFuseThread() throws Exception {
        try (LiveMount m = heldMount("policy=idempotent"); Client c = Client.open(m.mnt)) {
            List<Process> callers = new ArrayList<>();
            try {
                callers.add(finitThroughPreload(m));
                awaitComing(m, "cryptd");
                for (int i = 0; i < WAITERS; i++) {
                    callers.add(finitThroughPreload(m));
                }
                LiveMount.await(WAITERS + " finit calls waiting without a thread", Duration.ofSeconds(60),
                        () -> figure(request(c, "status"), "finit_waiting") == WAITERS);
                // busy: the loader (in its init) and the status request; the rest is the idle pool, which
                // shrinks to it once the burst is over (waited for: the 64 still wait, held by the latch).
                // (The daemon runs in this test JVM, so its thread total is not the daemon's own.)
                LiveMount.await("the FUSE workers back to at most MAX_IDLE + 2 while " + WAITERS + " calls wait",
                        Duration.ofSeconds(60), () -> figure(request(c, "status"), "fuse_workers") <= FuseLoop.MAX_IDLE + 2);
                assertThat(figure(c.request("status"), "finit_waiting")).isEqualTo(WAITERS);
                release.countDown();
                for (Process p : callers) {
                    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo("ok");
                }
            } finally {
                release.countDown();
                callers.forEach(WaitWithoutThreadIT::stop);
            }
            assertThat(figure(c.request("status"), "finit_waiting")).isZero();
            String stats = Files.readString(m.mnt.resolve(".denyfs/stats"));
            assertThat(stats).contains("Virtual mem wasted bytes\t0\n").contains("Mods ever loaded\t1\n");
            assertThat(Files.readString(m.mnt.resolve(".denyfs/calls")))
                    .contains("finit_module\tcryptd.ko\t0\t" + (WAITERS + 1) + "\t");
        }
    }

    /**
     * The load's own waits hold no FUSE thread either. Under policy=plain, crypto_simd needs a
     * symbol of cryptd, whose init is held: the first crypto_simd load parks in
     * resolve_symbol_wait(), and every later one in the patient duplicate check (crypto_simd is
     * UNFORMED). Once cryptd is live the first load goes on and the rest get EEXIST; the resumer
     * threads that carried them on leave once the mount is calm.
     */
    @Test
    void finit_waitingForAComingDependencyOrInTheDuplicateCheck_holdsNoFuseThread() throws Exception {
        // symbol_wait_ms: the first load's wait must outlast however long the others take to start
        try (LiveMount m = heldMount("policy=plain,symbol_wait_ms=600000"); Client c = Client.open(m.mnt)) {
            Process dependency = finitThroughPreload(m, "cryptd");
            List<Process> callers = new ArrayList<>();
            try {
                awaitComing(m, "cryptd");
                callers.add(finitThroughPreload(m, "crypto_simd"));
                LiveMount.await("the first crypto_simd load parked on cryptd's symbol", Duration.ofSeconds(60),
                        () -> figure(request(c, "status"), "loads_parked") == 1);
                for (int i = 1; i < WAITERS; i++) {
                    callers.add(finitThroughPreload(m, "crypto_simd"));
                }
                LiveMount.await(WAITERS + " loads parked", Duration.ofSeconds(60),
                        () -> figure(request(c, "status"), "loads_parked") == WAITERS);
                LiveMount.await("the FUSE workers back to at most MAX_IDLE + 2 while " + WAITERS + " loads are parked",
                        Duration.ofSeconds(60), () -> figure(request(c, "status"), "fuse_workers") <= FuseLoop.MAX_IDLE + 2);
                // finit_waiting counts a call once its ioctl has answered, just after the load parked
                LiveMount.await(WAITERS + " finit calls waiting", Duration.ofSeconds(60),
                        () -> figure(request(c, "status"), "finit_waiting") == WAITERS);
                release.countDown();
                assertThat(dependency.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(output(dependency)).isEqualTo("ok");
                List<String> results = new ArrayList<>();
                for (Process p : callers) {
                    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                    results.add(output(p));
                }
                assertThat(results.get(0)).isEqualTo("ok");
                assertThat(results.subList(1, WAITERS)).containsOnly("EEXIST");
            } finally {
                release.countDown();
                callers.forEach(WaitWithoutThreadIT::stop);
                stop(dependency);
            }
            String status = c.request("status");
            assertThat(figure(status, "loads_parked")).isZero();
            assertThat(figure(status, "finit_waiting")).isZero();
            assertThat(Files.readString(m.mnt.resolve(".denyfs/proc/modules"))).contains("cryptd ").contains("crypto_simd ");
            assertThat(Files.readString(m.mnt.resolve(".denyfs/stats"))).contains("Mods ever loaded\t2\n")
                    .containsPattern("crypto_simd\\s+" + (WAITERS - 1) + "\\s+Becoming");
            LiveMount.await("the resumer threads gone once the mount is calm", Duration.ofSeconds(60),
                    () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("denyfs-load-")));
        }
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    void controlFile_nonBlockingFinitInIdempotentGroup_eagainThenPollinThenReply() throws Exception {
        try (LiveMount m = heldMount("policy=idempotent")) {
            Process first = finitThroughPreload(m);
            try {
                awaitComing(m, "cryptd");
                Process poller = new ProcessBuilder(Proc.tool("pollwait").toString(), m.mnt.toString(), "finit",
                        tree.ko("cryptd")).directory(m.mnt.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try {
                    awaitWaiting(m, 1);
                    release.countDown();
                    assertThat(poller.waitFor(120, TimeUnit.SECONDS)).isTrue();
                    assertThat(new String(poller.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                            .isEqualTo("EAGAIN\nPOLLIN\nok 0\n");
                } finally {
                    release.countDown();
                    stop(poller);
                }
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown();
                stop(first);
            }
        }
    }

    @Test
    void controlFile_blockingShellReadInIdempotentGroup_waitsForTheReply() throws Exception {
        try (LiveMount m = heldMount("policy=idempotent")) {
            Process first = finitThroughPreload(m);
            try {
                awaitComing(m, "cryptd");
                Process shell = new ProcessBuilder("sh", "-c", "exec 3<>.denyfs/control && echo 'finit " + tree.ko("cryptd")
                        + "' >&3 && read -r reply <&3 && echo \"$reply\" && cat .denyfs/sys/module/cryptd/initstate")
                        .directory(m.mnt.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try {
                    awaitWaiting(m, 1); // the shell's read waits in the daemon for the held load
                    release.countDown();
                    assertThat(shell.waitFor(120, TimeUnit.SECONDS)).isTrue();
                    // the read returned once the load was over: the module is live by then
                    assertThat(new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ok 0\nlive\n");
                } finally {
                    release.countDown();
                    stop(shell);
                }
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown();
                stop(first);
            }
        }
    }

    /**
     * FuseLoop's rule past EAGER_WORKERS: when every worker waits (here, blocking control-file reads
     * of a held load), the watcher starts one more, so requests are still served; once the mount is
     * calm the watcher leaves (it is no idle mount's thread). The figures and the thread's name
     * prove it, not a clock.
     */
    @Test
    void fuseLoop_everyWorkerWaitingPastTheEagerLimit_theWatcherStartsAnother_andLeavesOnceCalm() throws Exception {
        int shells = FuseLoop.EAGER_WORKERS + 8;
        try (LiveMount m = heldMount("policy=idempotent")) {
            Process first = finitThroughPreload(m);
            List<Process> waiting = new ArrayList<>();
            try {
                awaitComing(m, "cryptd");
                startBlockingShellFinits(m, shells, waiting);
                // each status request needs a worker of its own while all the others wait
                awaitWaiting(m, shells);
                try (Client c = Client.open(m.mnt)) {
                    assertThat(figure(c.request("status"), "fuse_workers")).isGreaterThan(shells);
                }
                release.countDown();
                assertAnsweredOk(waiting);
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
                LiveMount.await("the watcher gone once the mount is calm", Duration.ofSeconds(60),
                        () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("denyfs-fuse-watch")));
            } finally {
                release.countDown();
                waiting.forEach(WaitWithoutThreadIT::stop);
                stop(first);
            }
        }
    }

    /**
     * FuseLoop's reader rule: the workers a burst started (here, blocking control-file reads of a
     * held load, one worker each) do not stay for the mount's life; once the burst is over the
     * idle ones past {@link FuseLoop#READERS} leave, and the ones that stay serve. Under libfuse's
     * rule every worker the burst started stayed (at most MAX_IDLE idle ones leave), so this fails
     * there.
     */
    @Test
    void fuseLoop_afterABurst_theIdleWorkersPastTheReadersLeave() throws Exception {
        int shells = 8;
        try (LiveMount m = heldMount("policy=idempotent")) {
            Process first = finitThroughPreload(m);
            List<Process> waiting = new ArrayList<>();
            try (Client c = Client.open(m.mnt)) {
                awaitComing(m, "cryptd");
                startBlockingShellFinits(m, shells, waiting);
                awaitWaiting(m, shells);
                assertThat(figure(c.request("status"), "fuse_workers")).isGreaterThan(shells);
                release.countDown();
                assertAnsweredOk(waiting);
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
                // the daemon's own figure, read without a request: a request would be one more
                // that could find every reader busy for an instant and start another worker
                LiveMount.await("the FUSE workers back to " + FuseLoop.READERS + " after the burst", Duration.ofSeconds(60),
                        () -> m.mount.view().fuseWorkers() == FuseLoop.READERS);
                assertThat(figure(c.request("status"), "fuse_workers")).isEqualTo(FuseLoop.READERS);
            } finally {
                release.countDown();
                waiting.forEach(WaitWithoutThreadIT::stop);
                stop(first);
            }
        }
    }

    @Test
    void kernelClient_finitInIdempotentGroup_waitsByTicketAndReturnsTheResult() throws Exception {
        try (LiveMount m = heldMount("policy=idempotent"); Client c = Client.open(m.mnt)) {
            Process first = finitThroughPreload(m);
            try {
                awaitComing(m, "cryptd");
                // the Java loader's client, in this JVM: its ioctl answers with a ticket, it polls for "wait"
                var javaCaller = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        new org.denyfs.user.kmod.KernelClient(m.mnt).finit(m.mnt.resolve(tree.ko("cryptd")), "", 0);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                LiveMount.await("the Java caller waiting without a thread", Duration.ofSeconds(60),
                        () -> figure(request(c, "status"), "finit_waiting") == 1);
                release.countDown();
                javaCaller.get(120, TimeUnit.SECONDS); // returned 0: no exception
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
            } finally {
                release.countDown();
                stop(first);
            }
            assertThat(Files.readString(m.mnt.resolve(".denyfs/calls"))).contains("finit_module\tcryptd.ko\t0\t2\t");
        }
    }

    @Test
    void wait_ticketNotIssuedToTheCaller_einval() throws IOException {
        try (LiveMount m = LiveMount.over(tree.root(), "policy=idempotent"); Client c = Client.open(m.mnt)) {
            assertThat(c.request("wait 1")).startsWith("err EINVAL wait: no finit_module ticket 1");
            assertThat(c.request("wait x")).startsWith("err EINVAL");
        }
    }

    /**
     * Starts N shells, each added to {@code shells} at once (so a caller's finally stops it), that
     * send "finit cryptd.ko" on a control handle of their own and wait for the reply in a blocking
     * read: each holds a FUSE worker while the load is held.
     */
    private static void startBlockingShellFinits(LiveMount m, int n, List<Process> shells) throws IOException {
        for (int i = 0; i < n; i++) {
            shells.add(new ProcessBuilder("sh", "-c", "exec 3<>.denyfs/control && echo 'finit " + tree.ko("cryptd")
                    + "' >&3 && read -r reply <&3 && echo \"$reply\"")
                    .directory(m.mnt.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
    }

    /** Each shell of startBlockingShellFinits ends and printed the reply "ok 0". */
    private static void assertAnsweredOk(List<Process> shells) throws Exception {
        for (Process p : shells) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ok 0\n");
        }
    }

    /** finit_module(2) of cryptd.ko as kmod makes it, through libdenyfs-preload.so: prints "ok" or the errno's name. */
    private static Process finitThroughPreload(LiveMount m) throws IOException {
        return finitThroughPreload(m, "cryptd");
    }

    /** finit_module(2) of MODULE.ko as kmod makes it, through libdenyfs-preload.so: prints "ok" or the errno's name. */
    private static Process finitThroughPreload(LiveMount m, String module) throws IOException {
        Path nativeDir = Path.of(System.getenv().getOrDefault("DENYFS_NATIVE", "target/native")).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(Proc.tool("modcall").toString(), "finit", m.mnt.resolve(tree.ko(module)).toString(),
                "0", "").redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("DENYFS_MOUNT", m.mnt.toString());
        pb.environment().put("LD_PRELOAD", nativeDir.resolve("libdenyfs-preload.so").toString());
        return pb.start();
    }

    /**
     * Kills a caller that is still running (a failed test) and waits for it, so that none of its
     * files is open when the mount is closed: an unmount with open files is refused (EBUSY).
     */
    private static void stop(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitComing(LiveMount m, String module) {
        LiveMount.await(module + " coming", Duration.ofSeconds(60), () -> {
            try {
                return Files.readString(m.mnt.resolve(".denyfs/sys/module/" + module + "/initstate")).equals("coming\n");
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static void awaitWaiting(LiveMount m, int calls) throws IOException {
        try (Client c = Client.open(m.mnt)) {
            LiveMount.await(calls + " finit calls waiting", Duration.ofSeconds(60),
                    () -> figure(request(c, "status"), "finit_waiting") == calls);
        }
    }

    private static String request(Client c, String line) {
        try {
            return c.request(line);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long figure(String status, String name) {
        for (String word : status.split(" ")) {
            if (word.startsWith(name + "=")) {
                return Long.parseLong(word.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in " + status);
    }
}
