package org.denyfs.bench.io;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.denyfs.abi.MountTable;
import org.denyfs.bench.harness.Cleanup;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.HostInfo;
import org.denyfs.bench.harness.Rotation;
import org.denyfs.bench.harness.Target;
import org.denyfs.bench.harness.TargetUnavailable;

/**
 * Runs one benchmark session: sets the targets up over one fresh backing directory, runs every
 * (run, workload, target) through iobench in interleaved, rotated order, and tears everything down.
 * Reports progress on the writer it is given and nothing else; the caller prints the result.
 */
public final class IoBench {
    /** Generous: a cold 1 GiB read from a slow disk through FUSE still fits many times over. */
    private static final Duration IOBENCH_TIMEOUT = Duration.ofMinutes(30);
    private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");
    private static final Set<String> RAM_FILESYSTEMS = Set.of("tmpfs", "ramfs");

    private final PrintWriter progress;

    public IoBench(PrintWriter progress) {
        this.progress = progress;
    }

    public BenchReport run(BenchConfig cfg) throws IOException {
        Instant started = Instant.now();
        String loadAtStart = HostInfo.loadAverage();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int cpus = Runtime.getRuntime().availableProcessors();
        if (HostInfo.oneMinuteLoad(loadAtStart) > cpus / 2.0) {
            notes.add("load average " + loadAtStart + " on " + cpus + " CPUs at the start: other work is running,"
                    + " expect noisy figures (compare runs.csv across runs)");
        }
        List<TargetStatus> statuses = new ArrayList<>();
        List<RunResult> results = new ArrayList<>();
        try (Cleanup cleanup = new Cleanup()) {
            cleanup.installShutdownHook();
            Exec exec = new Exec(cleanup);
            IoBenchBinary.Located iobench = IoBenchBinary.locate(cfg.iobench(), cfg.repoRoot(), exec);
            if (iobench.built()) {
                say("built " + iobench.path());
            }
            Files.createDirectories(cfg.out());
            Path backing = createBacking(cfg);
            String backingFs = MountTable.containing(backing).map(e -> e.fsType() + " on " + e.source()).orElse("unknown");
            if (MountTable.containing(backing).map(e -> RAM_FILESYSTEMS.contains(e.fsType())).orElse(false)) {
                notes.add("backing " + backing + " is on " + backingFs + ": nothing ever reaches a disk, so 'cold'"
                        + " reads and fsync measure RAM; pass --backing DIR on a disk filesystem");
            }
            // The mount points live with the report (--out), not in /tmp: a run leaves nothing outside it.
            Files.createDirectories(cfg.out());
            Path mountRoot = Files.createTempDirectory(cfg.out(), "mnt-").toRealPath();
            // Registered before any mount, so it runs after every unmount - also from the shutdown hook.
            cleanup.add("remove " + mountRoot, () -> removeScratch(mountRoot, backing, cfg.keep()));
            List<Workload> workloads = new ArrayList<>();
            try {
                List<Target> targets = openTargets(cfg, new Targets(cfg, backing, mountRoot, exec, cleanup),
                        statuses, problems, notes);
                for (Target t : targets) {
                    Files.createDirectories(workDir(t));
                }
                if (targets.size() > 1 && cfg.runs() % targets.size() != 0) {
                    // The first in line writes onto an idle disk; later ones after the others' writeback.
                    String why = cfg.runs() + " runs do not give each of " + targets.size() + " targets every position"
                            + " equally often: seqwrite favours the first in line; use a multiple of " + targets.size();
                    notes.add(why);
                    say(why);
                }
                workloads.addAll(runnableWorkloads(notes));
                say("backing " + backing + " (" + backingFs + "), " + ByteSize.format(cfg.sizeBytes()) + ", "
                        + cfg.files() + " files, " + cfg.runs() + " run(s), targets "
                        + targets.stream().map(Target::name).toList());
                measure(cfg, iobench.path(), targets, workloads, exec, results, problems);
            } finally {
                cleanup.runAll();
                problems.addAll(cleanup.failures());
            }
            Map<String, Object> host = new LinkedHashMap<>(HostInfo.collect(exec));
            host.put("loadavg_at_start", loadAtStart);
            host.put("loadavg_at_end", HostInfo.loadAverage());
            return new BenchReport(cfg, backing, backingFs, host, statuses, workloads, results,
                    problems, notes, started, Instant.now());
        }
    }

    private List<Target> openTargets(BenchConfig cfg, Targets factory, List<TargetStatus> statuses,
                                     List<String> problems, List<String> notes) {
        List<Target> targets = new ArrayList<>();
        for (TargetKind kind : cfg.against().stream().distinct().toList()) {
            try {
                if (kind != TargetKind.NATIVE) {
                    say("mounting " + kind.id() + "...");
                }
                Target t = factory.open(kind);
                targets.add(t);
                statuses.add(new TargetStatus(kind.id(), "ok", t.setup()));
                say("target " + kind.id() + ": " + t.setup());
            } catch (TargetUnavailable e) {
                statuses.add(new TargetStatus(kind.id(), "skipped", e.getMessage()));
                notes.add("skipped " + kind.id() + ": " + e.getMessage());
                say("SKIPPED " + kind.id() + ": " + e.getMessage());
            } catch (IOException e) {
                statuses.add(new TargetStatus(kind.id(), "failed", e.getMessage()));
                problems.add(kind.id() + ": " + e.getMessage());
                say("FAILED " + kind.id() + ": " + e.getMessage());
            }
        }
        return targets;
    }

    private List<Workload> runnableWorkloads(List<String> notes) {
        boolean canDrop = Files.isWritable(DROP_CACHES);
        List<Workload> ws = new ArrayList<>();
        for (Workload w : Workload.values()) {
            if (w.needsDropCaches() && !canDrop) {
                String why = "skipped " + w.id() + ": dropping caches needs root (write access to " + DROP_CACHES + ")";
                notes.add(why);
                say(why);
            } else {
                ws.add(w);
            }
        }
        return ws;
    }

    /** for run r, for workload w, for target t in the order rotated by r - the interleaving the issue asks for. */
    private void measure(BenchConfig cfg, Path iobench, List<Target> targets, List<Workload> workloads, Exec exec,
                         List<RunResult> results, List<String> problems) throws IOException {
        int total = cfg.runs() * workloads.size() * targets.size();
        int done = 0;
        for (int run = 1; run <= cfg.runs(); run++) {
            List<Target> order = Rotation.rotate(targets, run - 1);
            for (Workload w : workloads) {
                for (int pos = 0; pos < order.size(); pos++) {
                    String where = String.format(Locale.ROOT, "[%3d/%d] run %d/%d %-15s %-7s",
                            ++done, total, run, cfg.runs(), w.id(), order.get(pos).name());
                    try {
                        RunResult r = measureOne(cfg, iobench, order.get(pos), w, run, pos + 1, exec);
                        results.add(r);
                        say(where + " " + brief(w, r));
                    } catch (MeasurementFailed e) {
                        problems.add("run " + run + " " + w.id() + " on " + order.get(pos).name() + ": " + e.getMessage());
                        say(where + " FAILED: " + e.getMessage());
                    }
                }
            }
        }
    }

    /** One iobench process; a failure of the load (not of the harness) is reported and the session goes on. */
    private static RunResult measureOne(BenchConfig cfg, Path iobench, Target t, Workload w, int run, int position,
                                        Exec exec) throws IOException, MeasurementFailed {
        List<String> cmd = new ArrayList<>(List.of(iobench.toString()));
        cmd.addAll(w.iobenchArgs(workDir(t).toString(), cfg));
        Exec.Result r = exec.run(cmd, IOBENCH_TIMEOUT);
        if (!r.ok()) {
            throw new MeasurementFailed(r.describe());
        }
        try {
            return ResultLine.parse(r.stdout(), t.name(), w, run, position);
        } catch (IllegalArgumentException e) {
            throw new MeasurementFailed(e.getMessage());
        }
    }

    private static String brief(Workload w, RunResult r) {
        Metric m = w.metrics().get(0);
        String main = TableFormatter.number(m.of(r)) + " " + m.label();
        return w.metrics().size() == 1 ? main : main + ", median " + TableFormatter.number(Metric.MEDIAN_US.of(r))
                + " us, p99 " + TableFormatter.number(Metric.P99_US.of(r)) + " us";
    }

    private static final class MeasurementFailed extends Exception {
        MeasurementFailed(String message) {
            super(message);
        }
    }

    /**
     * Each target works in its own subdirectory of the shared backing directory, made through the
     * target itself. Were they to share files, one target's unlink would leave another FUSE mount's
     * cached dentries stale (open(O_CREAT) of a file the kernel still believes exists fails ENOENT),
     * and each target's caches would be judged on changes it never saw.
     */
    private static Path workDir(Target t) {
        return t.dir().resolve(t.name());
    }

    /** Unmount everything before deleting anything: a recursive delete must never walk into a mount. */
    private static void removeScratch(Path mountRoot, Path backing, boolean keep) throws IOException {
        List<MountTable.Entry> left = MountTable.under(mountRoot);
        if (!left.isEmpty()) {
            throw new IOException("still mounted, not deleting: " + left);
        }
        deleteTree(mountRoot);
        if (!keep) {
            deleteTree(backing);
        }
    }

    /** A fresh directory nobody else uses: we create and delete files in it freely. */
    private static Path createBacking(BenchConfig cfg) throws IOException {
        if (cfg.backingParent() == null) {
            Path b = cfg.out().resolve("backing");
            if (Files.exists(b)) {
                throw new IOException(b + " already exists; choose another --out");
            }
            return Files.createDirectories(b).toRealPath();
        }
        Files.createDirectories(cfg.backingParent());
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Files.createTempDirectory(cfg.backingParent(), "denyfs-bench-" + stamp + "-").toRealPath();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void say(String line) {
        progress.println(line);
        progress.flush();
    }
}
