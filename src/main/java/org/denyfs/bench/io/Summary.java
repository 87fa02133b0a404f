package org.denyfs.bench.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per target and workload, the median across runs of every figure (for p99 that is the median of
 * the per-run p99s): the median shrugs off one disturbed run, which the mean would not.
 */
public final class Summary {
    /** One (target, workload): how many runs succeeded and the median of each metric. */
    public record Cell(String target, Workload workload, int runs, Map<Metric, Double> medians, double seconds) {
        public double get(Metric m) {
            return medians.getOrDefault(m, Double.NaN);
        }
    }

    /** "target / reference", the ratio columns of the table. */
    public record RatioPair(String target, String reference) {
        public String label() {
            return target + "/" + reference;
        }
    }

    private final Map<String, Cell> cells = new LinkedHashMap<>();

    private Summary() {
    }

    public static Summary of(List<RunResult> results) {
        Map<String, List<RunResult>> groups = new LinkedHashMap<>();
        for (RunResult r : results) {
            groups.computeIfAbsent(key(r.target(), r.workload()), k -> new ArrayList<>()).add(r);
        }
        Summary s = new Summary();
        groups.forEach((k, rs) -> {
            Map<Metric, Double> medians = new LinkedHashMap<>();
            for (Metric m : Metric.values()) {
                medians.put(m, Stats.median(rs.stream().mapToDouble(m::of).toArray()));
            }
            double seconds = Stats.median(rs.stream().mapToDouble(RunResult::seconds).toArray());
            s.cells.put(k, new Cell(rs.get(0).target(), rs.get(0).workload(), rs.size(), Map.copyOf(medians), seconds));
        });
        return s;
    }

    /** NaN when the target did not run this workload. */
    public double value(String target, Workload w, Metric m) {
        Cell c = cells.get(key(target, w));
        return c == null ? Double.NaN : c.get(m);
    }

    public double ratio(RatioPair pair, Workload w, Metric m) {
        return Stats.ratio(value(pair.target(), w, m), value(pair.reference(), w, m));
    }

    public List<Cell> cells() {
        return List.copyOf(cells.values());
    }

    /** Every target against native, then everything but native against bindfs - the two baselines of the goals. */
    public static List<RatioPair> ratioPairs(List<String> targets) {
        List<RatioPair> pairs = new ArrayList<>();
        for (String ref : List.of(TargetKind.NATIVE.id(), TargetKind.BINDFS.id())) {
            if (!targets.contains(ref)) {
                continue;
            }
            for (String t : targets) {
                if (!t.equals(ref) && !t.equals(TargetKind.NATIVE.id())) {
                    pairs.add(new RatioPair(t, ref));
                }
            }
        }
        return pairs;
    }

    private static String key(String target, Workload w) {
        return target + "\u0000" + w.id();
    }
}
