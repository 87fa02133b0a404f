package org.denyfs.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.denyfs.bench.harness.Json;

/** Writes the report into the --out directory: CSVs for spreadsheets, JSON for tools, the table for people. */
public final class ReportFiles {
    public static final String SUMMARY_CSV = "summary.csv";
    public static final String RUNS_CSV = "runs.csv";
    public static final String RATIOS_CSV = "ratios.csv";
    public static final String RESULTS_JSON = "results.json";
    public static final String TABLE_TXT = "table.txt";

    private ReportFiles() {
    }

    /** @return the files written */
    public static List<Path> write(BenchReport report, String table, String cachePolicy) throws IOException {
        Path dir = Files.createDirectories(report.config().out());
        Summary summary = report.summary();
        List<Path> written = new ArrayList<>();
        written.add(Files.writeString(dir.resolve(SUMMARY_CSV), summaryCsv(summary)));
        written.add(Files.writeString(dir.resolve(RUNS_CSV), runsCsv(report.results())));
        written.add(Files.writeString(dir.resolve(RATIOS_CSV), ratiosCsv(report, summary)));
        written.add(Files.writeString(dir.resolve(RESULTS_JSON), Json.write(json(report, summary, cachePolicy))));
        written.add(Files.writeString(dir.resolve(TABLE_TXT), table));
        return written;
    }

    static String summaryCsv(Summary summary) {
        StringBuilder b = new StringBuilder("target,workload,runs,mib_per_s,ops_per_s,median_us,p99_us,seconds\n");
        for (Summary.Cell c : summary.cells()) {
            b.append(c.target()).append(',').append(c.workload().id()).append(',').append(c.runs());
            for (Metric m : Metric.values()) {
                b.append(',').append(num(c.get(m)));
            }
            b.append(',').append(num(c.seconds())).append('\n');
        }
        return b.toString();
    }

    static String runsCsv(List<RunResult> results) {
        StringBuilder b = new StringBuilder(
                "run,position,target,workload,ops,bytes,seconds,mib_per_s,ops_per_s,median_ns,p99_ns\n");
        for (RunResult r : results) {
            b.append(r.run()).append(',').append(r.position()).append(',').append(r.target()).append(',')
                    .append(r.workload().id()).append(',').append(r.ops()).append(',').append(r.bytes()).append(',')
                    .append(num(r.seconds())).append(',').append(num(r.mibPerSecond())).append(',')
                    .append(num(r.opsPerSecond())).append(',').append(r.medianNanos()).append(',')
                    .append(r.p99Nanos()).append('\n');
        }
        return b.toString();
    }

    static String ratiosCsv(BenchReport report, Summary summary) {
        StringBuilder b = new StringBuilder("workload,metric,target,reference,ratio\n");
        for (Summary.RatioPair p : Summary.ratioPairs(report.measuredTargets())) {
            for (Workload w : report.workloads()) {
                for (Metric m : w.metrics()) {
                    b.append(w.id()).append(',').append(m.key()).append(',').append(p.target()).append(',')
                            .append(p.reference()).append(',').append(num(summary.ratio(p, w, m))).append('\n');
                }
            }
        }
        return b.toString();
    }

    private static Map<String, Object> json(BenchReport r, Summary summary, String cachePolicy) {
        BenchConfig c = r.config();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("size_bytes", c.sizeBytes());
        config.put("files", c.files());
        config.put("runs", c.runs());
        config.put("rand_ops", c.randOps());
        config.put("against", c.against().stream().map(TargetKind::id).toList());
        config.put("backing", r.backing().toString());
        config.put("backing_filesystem", r.backingFilesystem());
        config.put("denyfs_command", c.denyfsCommand());
        config.put("denyfs_options", c.denyfsOptions());
        config.put("order", "for each run, for each workload, each target; target order rotated by one per run");
        config.put("caches", cachePolicy);

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "denyfs bench io");
        root.put("started", r.started().toString());
        root.put("finished", r.finished().toString());
        root.put("host", r.host());
        root.put("config", config);
        root.put("targets", r.targets().stream().map(t -> map("name", t.name(), "state", t.state(), "detail", t.detail())).toList());
        root.put("workloads", r.workloads().stream().map(w -> map("id", w.id(), "description", w.description())).toList());
        root.put("summary", summary.cells().stream().map(ReportFiles::cellJson).toList());
        List<Object> ratios = new ArrayList<>();
        for (Summary.RatioPair p : Summary.ratioPairs(r.measuredTargets())) {
            for (Workload w : r.workloads()) {
                for (Metric m : w.metrics()) {
                    ratios.add(map("workload", w.id(), "metric", m.key(), "target", p.target(),
                            "reference", p.reference(), "ratio", summary.ratio(p, w, m)));
                }
            }
        }
        root.put("ratios", ratios);
        root.put("runs", r.results().stream().map(ReportFiles::runJson).toList());
        root.put("problems", r.problems());
        root.put("notes", r.notes());
        return root;
    }

    private static Map<String, Object> cellJson(Summary.Cell c) {
        Map<String, Object> m = map("target", c.target(), "workload", c.workload().id(), "runs", c.runs());
        for (Metric metric : Metric.values()) {
            m.put(metric.key(), c.get(metric));
        }
        m.put("seconds", c.seconds());
        return m;
    }

    private static Map<String, Object> runJson(RunResult r) {
        return map("run", r.run(), "position", r.position(), "target", r.target(), "workload", r.workload().id(),
                "ops", r.ops(), "bytes", r.bytes(), "seconds", r.seconds(), "mib_per_s", r.mibPerSecond(),
                "ops_per_s", r.opsPerSecond(), "median_ns", r.medianNanos(), "p99_ns", r.p99Nanos());
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Plain decimal, empty for a figure that does not exist (CSV has no NaN either). */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
