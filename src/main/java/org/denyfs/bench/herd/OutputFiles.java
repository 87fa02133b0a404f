package org.denyfs.bench.herd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.denyfs.bench.harness.Json;

/** Writes a herd's report into --out: CSV for spreadsheets, JSON for tools, the table and the chart for people. */
final class OutputFiles {
    static final String HERD_CSV = "herd.csv";
    static final String FAILURES_CSV = "failures.csv";
    static final String INFLIGHT_CSV = "inflight.csv";
    static final String RESULTS_JSON = "results.json";
    static final String TABLE_TXT = "table.txt";
    static final String CHART_SVG = "inflight.svg";
    static final String RESULTS_SVG = "results.svg";
    static final String LIVE_SVG = "live.svg";
    static final String EVENTS_TXT = "events.txt";

    private OutputFiles() {
    }

    /** @return the files written */
    static List<Path> write(HerdBench.Report report, String table) throws IOException {
        Path dir = Files.createDirectories(report.config().out());
        List<Path> written = new ArrayList<>();
        written.add(Files.writeString(dir.resolve(HERD_CSV), herdCsv(report.results())));
        written.add(Files.writeString(dir.resolve(FAILURES_CSV), failuresCsv(report.results())));
        written.add(Files.writeString(dir.resolve(INFLIGHT_CSV), inflightCsv(report.results())));
        written.add(Files.writeString(dir.resolve(RESULTS_JSON), Json.write(json(report))));
        written.add(Files.writeString(dir.resolve(TABLE_TXT), table));
        written.add(Files.writeString(dir.resolve(CHART_SVG), InflightChart.svg(firstRound(report), subtitle(report))));
        written.add(Files.writeString(dir.resolve(RESULTS_SVG), ResultsChart.svg(firstRound(report), subtitle(report))));
        written.add(Files.writeString(dir.resolve(LIVE_SVG), LiveChart.svg(firstRound(report), subtitle(report))));
        if (report.workload().perWorker()) {
            written.add(dir.resolve(EVENTS_TXT)); // written before the herds: the launcher reads it
        }
        return written;
    }

    static String herdCsv(List<Result> results) {
        StringBuilder b = new StringBuilder("policy,round,workers,init_ms");
        for (Figure f : Figure.values()) {
            b.append(',').append(f.column);
        }
        b.append('\n');
        for (Result r : results) {
            b.append(r.policy()).append(',').append(r.round()).append(',').append(r.workers()).append(',')
                    .append(r.initMillis());
            for (Figure f : Figure.values()) {
                b.append(',').append(f.csv(f.of(r)));
            }
            b.append('\n');
        }
        return b.toString();
    }

    static String failuresCsv(List<Result> results) {
        StringBuilder b = new StringBuilder("policy,round,module,message,workers\n");
        for (Result r : results) {
            r.failures().forEach((what, n) -> {
                int colon = what.indexOf(": ");
                b.append(r.policy()).append(',').append(r.round()).append(',').append(what, 0, colon).append(',')
                        .append('"').append(what.substring(colon + 2).replace("\"", "\"\"")).append('"').append(',')
                        .append(n).append('\n');
            });
        }
        return b.toString();
    }

    static String inflightCsv(List<Result> results) {
        StringBuilder b = new StringBuilder("policy,round,ms_since_release,bytes_in_flight\n");
        for (Result r : results) {
            Accounting.Timeline t = r.timeline();
            for (int i = 0; i < t.millis().length; i++) {
                b.append(r.policy()).append(',').append(r.round()).append(',')
                        .append(String.format(Locale.ROOT, "%.3f", t.millis()[i])).append(',').append(t.bytes()[i]).append('\n');
            }
        }
        return b.toString();
    }

    private static Map<String, Object> json(HerdBench.Report report) {
        Config cfg = report.config();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("workers", cfg.workers());
        config.put("policies", cfg.policies());
        config.put("rounds", cfg.rounds());
        config.put("init_ms", report.initMillis());
        config.put("init_ms_given", cfg.initMillis() != null);
        config.put("worker", cfg.worker().name().toLowerCase(Locale.ROOT));
        config.put("kmod", cfg.kmod() == Config.Kmod.KMOD31 ? 31 : 30);
        config.put("compress", cfg.compress().sysfsName());
        config.put("worker_command", report.workerCommand());
        config.put("scenario", cfg.scenario().kind().label());
        config.put("in_flight", cfg.scenario().inFlight());
        if (report.workload().perWorker()) {
            config.put("seed", cfg.scenario().seed());
            config.put("events_file", cfg.scenario().eventsFile() == null ? null : cfg.scenario().eventsFile().toString());
            config.put("events", report.workload().events());
        }
        config.put("modalias", report.modalias());
        config.put("modules", report.modules().names());
        config.put("module_bytes", report.modules().bytes());
        config.put("tree", report.tree().root().toString());
        config.put("tree_origin", report.tree().origin());
        config.put("release", report.tree().release());
        List<Object> results = new ArrayList<>();
        for (Result r : report.results()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("policy", r.policy());
            m.put("round", r.round());
            for (Figure f : Figure.values()) {
                double v = f.of(r);
                m.put(f.column, f.unit == Figure.Unit.MILLIS || f.unit == Figure.Unit.MICROS ? (Object) v
                        : (Object) Math.round(v));
            }
            m.put("fork_ms", r.forkMillis());
            m.put("failures", new LinkedHashMap<>(r.failures()));
            m.put("missing", r.missing());
            m.put("live_at_ms", new LinkedHashMap<>(r.liveAt()));
            List<Object> calls = new ArrayList<>();
            for (Accounting.Call c : r.calls()) {
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("call", c.call());
                call.put("file", c.file());
                call.put("result", c.result());
                call.put("count", c.count());
                call.put("cpu_us", c.cpuMicros());
                calls.add(call);
            }
            m.put("calls", calls);
            results.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "denyfs bench herd");
        root.put("host", report.host());
        root.put("cpus", report.cpus());
        root.put("config", config);
        root.put("results", results);
        return root;
    }

    /** The chart shows one herd per policy: the first round's. */
    private static List<Result> firstRound(HerdBench.Report report) {
        return report.results().stream().filter(r -> r.round() == 1)
                .sorted(java.util.Comparator.comparingInt(r -> report.config().policies().indexOf(r.policy())))
                .toList();
    }

    /** "libkmod", "modprobe", with the kmod route and the compression when they matter. */
    static String workerLabel(Config cfg) {
        String w = cfg.worker().name().toLowerCase(Locale.ROOT);
        return cfg.compress() == Config.Compress.NONE ? w
                : w + ", " + cfg.compress().sysfsName() + " modules, kmod " + (cfg.kmod() == Config.Kmod.KMOD31 ? "31+" : "30");
    }

    private static String subtitle(HerdBench.Report report) {
        return String.format(Locale.ROOT, "%s, %d workers (%s), %d modules %s, init %d ms, %d CPUs%s",
                report.config().scenario().kind().label(), report.workers(), workerLabel(report.config()),
                report.modules().names().size(),
                report.workload().perWorker() ? "requested" : "per probe", report.initMillis(), report.cpus(),
                report.config().rounds() > 1 ? ", round 1" : "");
    }
}
