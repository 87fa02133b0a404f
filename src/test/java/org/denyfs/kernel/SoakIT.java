package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.denyfs.kernel.fuse.FuseLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A soak, off by default (a long run, not a test for every build): for -Ddenyfs.soak.minutes
 * (default 10), rounds of hundreds of processes denying, writing and being killed (storm), fsx on
 * several files at once (buffered with mmap, and O_DIRECT) and the POSIX script, all on one mount.
 * Afterwards every count is 0, the daemon's threads and resident memory are flat (the last rounds'
 * figures within bounds of the first's), and every file reads as its backing copy.
 * <pre>mvn verify -Dit.test=SoakIT -Ddenyfs.soak=true [-Ddenyfs.soak.minutes=10] [-Ddenyfs.soak.procs=300]</pre>
 */
@EnabledIfSystemProperty(named = "denyfs.soak", matches = "true")
class SoakIT {
    private static final long MINUTES = Long.getLong("denyfs.soak.minutes", 10);
    private static final int PROCS = Integer.getInteger("denyfs.soak.procs", 300);

    @Test
    void hundredsOfProcessesForMinutes_leaveCountsAtZeroAndThreadsAndMemoryFlat() throws Exception {
        try (LiveMount m = LiveMount.start()) {
            for (int i = 0; i < 8; i++) {
                m.file("f" + i, "");
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(MINUTES).toNanos();
            List<long[]> samples = new ArrayList<>(); // {threads, rss kB}
            ExecutorService pool = Executors.newFixedThreadPool(4);
            int round = 0;
            try {
                while (System.nanoTime() < deadline) {
                    int r = round++;
                    List<Future<Proc.Result>> jobs = List.of(
                            pool.submit(() -> Proc.run(m.mnt, List.of(Proc.tool("storm").toString(), m.mnt.toString(),
                                    Integer.toString(PROCS), "40", "8"))),
                            pool.submit(() -> Proc.run(m.mnt, List.of(Proc.tool("fsx").toString(), "-q", "-N", "20000",
                                    "-S", Integer.toString(r), m.mnt.resolve("fsx-a").toString()))),
                            pool.submit(() -> Proc.run(m.mnt, List.of(Proc.tool("fsx").toString(), "-q", "-Z", "-N", "5000",
                                    "-S", Integer.toString(r), m.mnt.resolve("fsx-b").toString()))),
                            pool.submit(() -> posixRound(m, r)));
                    for (Future<Proc.Result> job : jobs) {
                        Proc.Result res = job.get();
                        assertThat(res.status()).as("round " + r + ": " + res.all()).isZero();
                    }
                    MountView fs = m.mount.view();
                    LiveMount.await("round " + r + ": every handle released", Duration.ofSeconds(60),
                            () -> fs.openHandles() == 0 && fs.controlSessions() == 0 && fs.inodeEntries() == 0);
                    samples.add(new long[] {status("Threads:"), status("VmRSS:")});
                    System.out.printf("soak round %d: threads=%d rss=%d kB%n", r, samples.get(samples.size() - 1)[0],
                            samples.get(samples.size() - 1)[1]);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(samples).as("rounds run").hasSizeGreaterThanOrEqualTo(3);
            long[] early = samples.get(Math.min(2, samples.size() - 1));
            long[] last = samples.get(samples.size() - 1);
            assertThat(last[0]).as("threads, last against round 3").isLessThanOrEqualTo(early[0] + FuseLoop.MAX_IDLE);
            assertThat(last[1]).as("RSS kB, last against round 3").isLessThanOrEqualTo(early[1] + early[1] / 4 + 65536);
            for (int i = 0; i < 8; i++) {
                assertThat(m.count("f" + i)).isZero();
            }
            try (var files = Files.walk(m.backing)) {
                for (Path b : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readAllBytes(m.mnt.resolve(m.backing.relativize(b)))).as(b.toString()).isEqualTo(Files.readAllBytes(b));
                }
            }
            System.out.printf("soak: %d rounds in %d min, %d processes per storm, threads %d -> %d, rss %d -> %d kB%n",
                    samples.size(), MINUTES, PROCS, early[0], last[0], early[1], last[1]);
        }
    }

    private static Proc.Result posixRound(LiveMount m, int round) throws Exception {
        Path dir = m.mnt.resolve("posix-" + round);
        Files.createDirectory(dir);
        Proc.Result setup = Proc.run(dir, List.of(Proc.tool("posixcheck").toString(), "setup", dir.toString(), "0:0"));
        if (setup.status() != 0) {
            return setup;
        }
        Proc.Result r = Proc.run(dir, List.of(Proc.tool("posixcheck").toString(), "run", dir.toString()));
        Proc.run(m.mnt, List.of("rm", "-rf", "--one-file-system", dir.toString()));
        return r;
    }

    /** A figure of this JVM, which serves the mount: Threads (all of them, FUSE workers included) or VmRSS in kB. */
    private static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
