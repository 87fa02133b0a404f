package org.denyfs.bench.herd;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.denyfs.abi.Abi;
import org.denyfs.abi.NativeDir;
import org.denyfs.bench.harness.Cleanup;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.FuseTarget;
import org.denyfs.bench.harness.HostInfo;
import org.denyfs.bench.harness.Launcher;
import org.denyfs.bench.harness.Rotation;
import org.denyfs.bench.harness.TargetUnavailable;
import org.denyfs.user.client.Client;

/**
 * The herd benchmark: for each round and policy, a fresh denyfs mount over the module tree and N
 * real worker processes released together, each loading the same MODALIAS as a udev worker does
 * for a CPU uevent. Reads the daemon's accounting and /proc figures afterwards, unmounts, and
 * returns every result. Progress goes to the writer it is given; the caller prints the report.
 */
final class HerdBench {
    private static final Duration MOUNT_TIMEOUT = Duration.ofMinutes(10);
    private static final Path CPU_MODALIAS = Path.of("/sys/devices/system/cpu/modalias");
    private static final Duration IN_FLIGHT_TIMEOUT = Duration.ofMinutes(2);
    /** The worker argument denyfs-herd --each replaces with each worker's own event. */
    static final String EACH = "@EACH@";

    /** Everything the report needs: what ran, on what, and what came of it. */
    record Report(Config config, Tree tree, String modalias, Tree.ModuleSet modules, long initMillis,
                  int cpus, String workerCommand, List<Result> results, Map<String, Object> host, Workload workload) {
        /** Workers per herd: --workers, or one per device event in coldplug. */
        int workers() {
            return workload.workers();
        }
    }

    private final PrintWriter progress;
    private final boolean terminal;

    HerdBench(PrintWriter progress, boolean terminal) {
        this.progress = progress;
        this.terminal = terminal;
    }

    Report run(Config cfg) throws IOException {
        int cpus = Runtime.getRuntime().availableProcessors();
        long initMillis = cfg.effectiveInitMillis(cpus);
        Path nativeDir = nativeDir(cfg.repoRoot());
        Path herd = requireExecutable(nativeDir.resolve("denyfs-herd"));
        try (Cleanup cleanup = new Cleanup()) {
            cleanup.installShutdownHook();
            Exec exec = new Exec(cleanup);
            Tree tree = Tree.locate(cfg.treeRoot(), cfg.release(), cfg.generatedTree(), cfg.repoRoot(), exec, progress);
            if (cfg.compress() != Config.Compress.NONE) {
                tree = CompressedTree.ensure(tree, cfg.compress(), exec, progress);
            }
            Workload workload = workload(cfg, tree);
            String modalias = workload.perWorker() ? workload.describe() : workload.events().get(0);
            Tree.ModuleSet modules = workload.requested();
            List<String> launcher;
            try {
                launcher = Launcher.resolve(cfg.denyfsCommand(), cfg.repoRoot());
            } catch (TargetUnavailable e) {
                throw new IOException(e.getMessage(), e);
            }
            // the scenario decides the MODALIAS, the worker what runs it: @EACH@ is each worker's own event
            WorkerCommand worker = WorkerCommand.of(cfg.worker(), cfg.kmod(), nativeDir, tree,
                    workload.perWorker() ? EACH : modalias);
            say("tree: " + tree.origin() + ", release " + tree.release());
            say((workload.perWorker() ? "coldplug: " + workload.describe() : "MODALIAS " + abbreviate(modalias)) + " -> "
                    + modules.names().size() + " modules, " + String.format(Locale.ROOT, "%,d", modules.bytes()) + " bytes: "
                    + abbreviate(String.join(" ", modules.names()), 400));
            say(workload.workers() + " workers per herd running '" + worker.describe() + "', module init " + initMillis + " ms"
                    + (cfg.initMillis() == null ? " (10 ms x " + cfg.workers() + " workers / " + cpus + " CPUs)" : ""));
            Files.createDirectories(cfg.out());
            Path eventsFile = null;
            if (workload.perWorker()) {
                eventsFile = Files.write(cfg.out().resolve(OutputFiles.EVENTS_TXT), workload.events());
            }
            // The mount points live with the report (--out), not in /tmp: a run leaves nothing outside it.
            Path mountRoot = Files.createTempDirectory(cfg.out(), "mnt-").toRealPath();
            cleanup.add("remove " + mountRoot, () -> removeEmptyDirs(mountRoot));
            List<Result> results = new ArrayList<>();
            for (int round = 1; round <= cfg.rounds(); round++) {
                for (String policy : Rotation.rotate(cfg.policies(), round - 1)) {
                    results.add(runOne(cfg, workload, eventsFile, policy, round, initMillis, tree, launcher, herd, worker,
                            mountRoot, exec, cleanup));
                }
            }
            cleanup.close();
            if (!cleanup.failures().isEmpty()) {
                throw new IOException("cleaning up failed: " + String.join("; ", cleanup.failures()));
            }
            return new Report(cfg, tree, modalias, modules, initMillis, cpus, worker.describe(), List.copyOf(results),
                    HostInfo.collect(new Exec(null)), workload);
        }
    }

    private Result runOne(Config cfg, Workload workload, Path eventsFile, String policy, int round, long initMillis, Tree tree,
                              List<String> launcher, Path herd, WorkerCommand worker, Path mountRoot, Exec exec,
                              Cleanup cleanup) throws IOException {
        String name = policy + (cfg.rounds() > 1 ? " round " + round + "/" + cfg.rounds() : "");
        Path mnt = Files.createDirectory(mountRoot.resolve(policy + "-" + round));
        List<String> mount = new ArrayList<>(launcher);
        String kernelCompression = cfg.compress() == Config.Compress.NONE ? "" : ",module_compression=" + cfg.compress().sysfsName();
        mount.addAll(List.of("mount", "-o", "policy=" + policy + ",init_ms=" + initMillis + ",kernel=" + tree.release()
                + kernelCompression,
                tree.root().toString(), mnt.toString()));
        List<String> umount = new ArrayList<>(launcher);
        umount.addAll(List.of("umount", mnt.toString()));
        say(name + ": mounting " + mnt + "...");
        FuseTarget target = FuseTarget.mount("denyfs", mnt, mount, umount, MOUNT_TIMEOUT, exec, cleanup);
        try {
            DaemonProc daemon;
            try (Client control = Client.open(mnt)) {
                daemon = new DaemonProc(DaemonProc.pidFromStatus(control.request(Abi.VERB_STATUS)));
            }
            long rssBefore = daemon.rssKiB();
            double cpuBefore = daemon.cpuMillis();
            Path logs = cfg.out().resolve("logs").resolve(policy + "-round" + round);
            ProgressLine line = new ProgressLine(name, workload.workers());
            List<String> herdOptions = new ArrayList<>(worker.herdOptions(mnt));
            if (eventsFile != null) {
                herdOptions.addAll(List.of("--each", eventsFile.toString()));
            }
            InFlightLoad inFlight = cfg.scenario().inFlight() == null ? null
                    : InFlightLoad.start(mnt, tree, cfg.scenario().inFlight(), exec);
            Launch.Outcome outcome;
            try {
                if (inFlight != null) {
                    say(name + ": " + inFlight.awaitComing(IN_FLIGHT_TIMEOUT) + "; releasing the workers");
                }
                outcome = Launch.run(herd, herdOptions, workload.workers(), worker.argv(mnt), worker.env(mnt), logs,
                        herdTimeout(cfg, initMillis), cleanup, line::done);
                if (inFlight != null) {
                    say(String.format(Locale.ROOT, "%s: the workers were released %.0f ms after %s was seen COMING", name,
                            inFlight.comingToRelease(outcome.releaseNanos()), cfg.scenario().inFlight()));
                }
            } finally {
                if (inFlight != null) {
                    say(name + ": the in-flight load of " + cfg.scenario().inFlight() + " returned " + inFlight.finish(IN_FLIGHT_TIMEOUT));
                }
            }
            double cpu = daemon.cpuMillis() - cpuBefore;
            long peakRss = daemon.peakRssKiB();
            long peakWorkers;
            try (Client control = Client.open(mnt)) {
                peakWorkers = DaemonProc.figureFromStatus(control.request(Abi.VERB_STATUS), "fuse_workers_peak");
            }
            Path views = mnt.resolve(".denyfs");
            Map<String, Long> stats = Accounting.stats(Files.readString(views.resolve("stats")));
            List<Accounting.Call> calls = Accounting.calls(Files.readString(mnt.resolve(Abi.CALLS)));
            Accounting.Timeline timeline = Accounting.timeline(Files.readString(mnt.resolve(Abi.INFLIGHT)),
                    outcome.releaseNanos());
            String procModules = Files.readString(mnt.resolve(Abi.PROC_MODULES));
            int loaded = Accounting.modulesLoaded(procModules);
            List<Accounting.Traced> trace = Accounting.callTrace(Files.readString(mnt.resolve(Abi.CALLTRACE)),
                    outcome.releaseNanos());
            Map<String, Integer> failures = new TreeMap<>();
            Map<String, Integer> byError = new TreeMap<>();
            int failed = 0;
            for (Launch.Worker w : outcome.workers()) {
                List<String> why = Accounting.failures(Files.readString(logs.resolve("worker-" + w.index() + ".log")));
                Accounting.countWorker(why, failures, byError);
                if (!why.isEmpty() || !w.exitedCleanly()) {
                    failed++;
                }
            }
            Result r = new Result(policy, round, workload.workers(), initMillis, stats, calls, loaded, failed,
                    failures, outcome.wallMillis(), outcome.forkMillis(), cpu, rssBefore, peakRss, timeline,
                    workload.requested().names(), Accounting.liveModules(procModules), trace, byError, peakWorkers);
            line.finish(r);
            return r;
        } finally {
            target.close();
        }
    }

    /** Generous: 64 module inits in series (a probe loads about 15), a second per worker, plus a minute. */
    private static Duration herdTimeout(Config cfg, long initMillis) {
        return Duration.ofMinutes(1).plusMillis(initMillis * 64).plusSeconds(cfg.workers());
    }

    /**
     * The events and the modules they request. cpu: --modalias or this CPU's, for every worker.
     * coldplug: --events FILE, or {@link ColdplugEvents} from the tree (--workers of them, --seed); each
     * event resolved as its probe would load it, and one that loads nothing left out, with a word.
     */
    private Workload workload(Config cfg, Tree tree) throws IOException {
        Scenario s = cfg.scenario();
        if (s.kind() == Scenario.Kind.CPU) {
            String modalias = cfg.modalias() != null ? cfg.modalias() : cpuModalias();
            return new Workload(s, List.of(modalias), tree.resolve(modalias), cfg.workers());
        }
        List<String> asked;
        if (s.eventsFile() != null) {
            asked = Files.readAllLines(s.eventsFile()).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .distinct().toList();
            say("coldplug: " + asked.size() + " distinct device events from " + s.eventsFile());
        } else {
            Path moduleDir = tree.root().resolve("lib/modules").resolve(tree.release());
            asked = ColdplugEvents.derive(moduleDir, cfg.workers(), s.seed()).stream().map(ColdplugEvents.Event::modalias).toList();
            say("coldplug: " + asked.size() + " device events derived from " + moduleDir.resolve("modules.alias")
                    + " and modules.dep (seed " + s.seed() + "), resolving each...");
        }
        List<String> events = new ArrayList<>();
        Map<String, Long> requested = new LinkedHashMap<>();
        for (String e : asked) {
            Tree.ModuleSet m;
            try {
                m = tree.resolve(e);
            } catch (IOException none) {
                say("coldplug: left out '" + abbreviate(e) + "', which loads no module of the tree");
                continue;
            }
            events.add(e);
            for (int i = 0; i < m.names().size(); i++) {
                requested.putIfAbsent(m.names().get(i), m.sizes().get(i));
            }
        }
        if (events.isEmpty()) {
            throw new IOException("coldplug: no device event loads a module of " + tree.root());
        }
        return new Workload(s, List.copyOf(events), new Tree.ModuleSet(List.copyOf(requested.keySet()),
                requested.values().stream().mapToLong(Long::longValue).sum(), List.copyOf(requested.values())), events.size());
    }

    /** target/native beside the jar (or beside target/classes when run from the build tree). */
    static Path nativeDir(Path repoRoot) throws IOException {
        Path beside = NativeDir.locate();
        if (Files.isDirectory(beside)) {
            return beside;
        }
        if (repoRoot != null && Files.isDirectory(repoRoot.resolve("target/native"))) {
            return repoRoot.resolve("target/native");
        }
        throw new IOException("no target/native with denyfs-herd and libdenyfs-preload.so: build denyfs first (mvn package,"
                + " or any scripts/denyfs command)");
    }

    private static Path requireExecutable(Path p) throws IOException {
        if (!Files.isExecutable(p)) {
            throw new IOException(p + ": No such file or directory (build denyfs first: mvn package)");
        }
        return p;
    }

    private static String cpuModalias() throws IOException {
        if (!Files.isReadable(CPU_MODALIAS)) {
            throw new IOException(CPU_MODALIAS + ": No such file or directory (no CPU uevent here); pass --modalias");
        }
        return Files.readString(CPU_MODALIAS).strip();
    }

    private static String abbreviate(String s) {
        return abbreviate(s, 72);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** Mount points are removed once unmounted; a directory still holding anything is left alone. */
    private static void removeEmptyDirs(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(root);
    }

    private void say(String line) {
        progress.println(line);
        progress.flush();
    }

    /** "plain: 120/255 workers done": rewritten in place on a terminal, every tenth otherwise. */
    private final class ProgressLine {
        private final String name;
        private final int total;
        private int shownTenth = -1;

        ProgressLine(String name, int total) {
            this.name = name;
            this.total = total;
        }

        void done(int n) {
            if (terminal) {
                progress.print("\r" + name + ": " + n + "/" + total + " workers done");
                progress.flush();
            } else if (n * 10 / total > shownTenth) {
                shownTenth = n * 10 / total;
                say(name + ": " + n + "/" + total + " workers done");
            }
        }

        void finish(Result r) {
            if (terminal) {
                progress.print("\r");
            }
            say(String.format(Locale.ROOT, "%s: done in %s; wasted %,d bytes, %d of %d workers failed, %,d finit calls",
                    name, Figure.WALL.format(r.wallMillis()), r.stat(Result.WASTED), r.failedWorkers(),
                    r.workers(), r.finit(null)));
        }
    }
}
