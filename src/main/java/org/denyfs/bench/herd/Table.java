package org.denyfs.bench.herd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The terminal report of a herd: one column per policy, one row per {@link Figure} (the median
 * across rounds), like REFERENCE section 7's table; then what the failed workers said.
 */
final class Table {
    private static final int MAX_FAILURE_LINES = 8;
    private static final int MAX_MISSING_NAMES = 16;

    private Table() {
    }

    static String format(HerdBench.Report report) {
        List<String> policies = report.config().policies();
        StringBuilder b = new StringBuilder();
        Config cfg = report.config();
        if (report.workload().perWorker()) {
            b.append(String.format(Locale.ROOT, "denyfs bench herd --scenario coldplug: %d device events (one worker each, %s),"
                            + " %d module(s) (%,d bytes) requested, init %d ms, %d round(s)%s%s%n", report.workers(),
                    OutputFiles.workerLabel(cfg), report.modules().names().size(), report.modules().bytes(),
                    report.initMillis(), cfg.rounds(), cfg.rounds() > 1 ? ", median across rounds" : "",
                    cfg.scenario().inFlight() == null ? "" : ", " + cfg.scenario().inFlight() + " in flight at the release"));
        } else {
            b.append(String.format(Locale.ROOT, "denyfs bench herd: %d workers (%s), %d module(s) (%,d bytes) per probe, init %d ms,"
                            + " %d round(s)%s%n", report.workers(), OutputFiles.workerLabel(cfg), report.modules().names().size(),
                    report.modules().bytes(), report.initMillis(), cfg.rounds(), cfg.rounds() > 1 ? ", median across rounds" : ""));
        }
        int labelWidth = Arrays.stream(Figure.values()).mapToInt(f -> f.label.length()).max().orElse(10) + 2;
        List<String[]> rows = new ArrayList<>();
        for (Figure f : Figure.values()) {
            String[] row = new String[policies.size()];
            for (int i = 0; i < policies.size(); i++) {
                row[i] = f.format(median(report.results(), policies.get(i), f));
            }
            rows.add(row);
        }
        int width = 12;
        for (String p : policies) {
            width = Math.max(width, p.length() + 2);
        }
        for (String[] row : rows) {
            for (String cell : row) {
                width = Math.max(width, cell.length() + 2);
            }
        }
        b.append(" ".repeat(labelWidth));
        for (String p : policies) {
            b.append(String.format(Locale.ROOT, "%" + width + "s", p));
        }
        b.append('\n');
        Figure[] figures = Figure.values();
        for (int r = 0; r < figures.length; r++) {
            b.append(String.format(Locale.ROOT, "%-" + labelWidth + "s", figures[r].label));
            for (String cell : rows.get(r)) {
                b.append(String.format(Locale.ROOT, "%" + width + "s", cell));
            }
            b.append('\n');
        }
        b.append(failures(report, policies));
        b.append(missing(report, policies));
        report.results().stream().filter(r -> r.timeline().dropped() > 0).forEach(r -> b.append(String.format(Locale.ROOT,
                "note: %s round %d: the daemon kept the first %,d changes of bytes in flight and dropped %,d;"
                        + " the chart and inflight.csv end early%n", r.policy(), r.round(), r.timeline().bytes().length,
                r.timeline().dropped())));
        return b.toString();
    }

    /** What the workers printed, per policy, over all rounds: "aesni_intel: Text file busy" x workers. */
    private static String failures(HerdBench.Report report, List<String> policies) {
        StringBuilder b = new StringBuilder();
        for (String p : policies) {
            Map<String, Integer> all = new TreeMap<>();
            report.results().stream().filter(r -> r.policy().equals(p))
                    .forEach(r -> r.failures().forEach((k, v) -> all.merge(k, v, Integer::sum)));
            if (all.isEmpty()) {
                continue;
            }
            if (b.length() == 0) {
                b.append("\nWhat failed workers printed (module: error, and how many workers printed it):\n");
            }
            Map<String, Integer> byError = new TreeMap<>();
            int failed = 0;
            int workers = 0;
            for (Result r : report.results()) {
                if (r.policy().equals(p)) {
                    r.failedByError().forEach((k, v) -> byError.merge(k, v, Integer::sum));
                    failed += r.failedWorkers();
                    workers += r.workers();
                }
            }
            StringBuilder errors = new StringBuilder();
            byError.forEach((e, n) -> errors.append(errors.length() == 0 ? "" : ", ").append(e).append(": ").append(n));
            b.append(String.format(Locale.ROOT, "  %s: %d of %d workers failed (%s)%n", p, failed, workers, errors));
            all.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .limit(MAX_FAILURE_LINES)
                    .forEach(e -> b.append(String.format(Locale.ROOT, "    %-50s x %d%n", e.getKey(), e.getValue())));
            if (all.size() > MAX_FAILURE_LINES) {
                b.append("    ... and ").append(all.size() - MAX_FAILURE_LINES).append(" more (see failures.csv)\n");
            }
        }
        return b.toString();
    }

    /** The drivers lost, per policy and round: requested modules that never went live. */
    private static String missing(HerdBench.Report report, List<String> policies) {
        StringBuilder b = new StringBuilder();
        for (String p : policies) {
            for (Result r : report.results()) {
                if (!r.policy().equals(p) || r.missing().isEmpty()) {
                    continue;
                }
                if (b.length() == 0) {
                    b.append("\nModules requested but never live (the drivers a boot would have lost):\n");
                }
                List<String> m = r.missing();
                String names = String.join(" ", m.subList(0, Math.min(m.size(), MAX_MISSING_NAMES)))
                        + (m.size() > MAX_MISSING_NAMES ? " ... and " + (m.size() - MAX_MISSING_NAMES) + " more (results.json)" : "");
                b.append(String.format(Locale.ROOT, "  %s%s: %d of %d: %s%n", p, report.config().rounds() > 1
                        ? " round " + r.round() : "", m.size(), r.requested().size(), names));
            }
        }
        return b.toString();
    }

    static double median(List<Result> results, String policy, Figure f) {
        double[] v = results.stream().filter(r -> r.policy().equals(policy)).mapToDouble(f::of)
                .filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
