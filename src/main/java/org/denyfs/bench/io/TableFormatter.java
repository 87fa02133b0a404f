package org.denyfs.bench.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders the summary as a fixed-width text table: absolute figures, then ratios. */
public final class TableFormatter {
    private TableFormatter() {
    }

    public static String format(Summary summary, List<String> targets, List<Workload> workloads) {
        List<Summary.RatioPair> pairs = Summary.ratioPairs(targets);
        List<String> header = new ArrayList<>(List.of("workload", "metric"));
        header.addAll(targets);
        pairs.forEach(p -> header.add(p.label()));
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (Workload w : workloads) {
            for (Metric m : w.metrics()) {
                List<String> row = new ArrayList<>(List.of(w.id(), m.label() + (m.higherIsBetter() ? " (hi)" : " (lo)")));
                targets.forEach(t -> row.add(number(summary.value(t, w, m))));
                pairs.forEach(p -> row.add(ratio(summary.ratio(p, w, m))));
                rows.add(row);
            }
        }
        StringBuilder out = new StringBuilder();
        int[] widths = widths(rows);
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                // Names left-aligned, figures right-aligned so digits line up.
                out.append(i < 2 ? pad(cell, widths[i], false) : pad(cell, widths[i], true));
                out.append(i + 1 < row.size() ? "  " : "\n");
            }
        }
        out.append("(hi) higher is better, (lo) lower is better. A/B = A's figure divided by B's:"
                + " for MiB/s and ops/s above 1.00x means A is faster; for us below 1.00x means A is faster.\n");
        return out.toString();
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        String f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, f, v);
    }

    static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    private static int[] widths(List<List<String>> rows) {
        int[] w = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                w[i] = Math.max(w[i], row.get(i).length());
            }
        }
        return w;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
