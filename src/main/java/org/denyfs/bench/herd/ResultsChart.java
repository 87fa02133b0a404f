package org.denyfs.bench.herd;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * finit_module's results over time, one panel per policy on shared axes: how many calls had
 * returned 0, EEXIST and ETXTBSY (and anything else) since the release. The seed's story at a glance:
 * plain's and exclusive-read's EEXIST climbing with the duplicate reads, exclusive's ETXTBSY (each one
 * a probe that gave up), idempotent's single line of 0s.
 */
final class ResultsChart {
    static final Map<String, String> COLORS = Map.of("0", "#2ca02c", "EEXIST", "#1f77b4", "ETXTBSY", "#d62728", "other", "#7f7f7f");
    private static final List<String> RESULTS = List.of("0", "EEXIST", "ETXTBSY", "other");

    private ResultsChart() {
    }

    /** @param herds one result per panel, in the order to draw them */
    static String svg(List<Result> herds, String subtitle) {
        double maxMillis = 1;
        int maxCount = 1;
        for (Result r : herds) {
            maxMillis = Math.max(maxMillis, r.wallMillis());
            for (String res : RESULTS) {
                maxCount = Math.max(maxCount, rises(r, res).length);
            }
        }
        List<String[]> legend = new ArrayList<>();
        RESULTS.forEach(res -> legend.add(new String[] {res.equals("0") ? "returned 0" : res, COLORS.get(res), ""}));
        SvgPanels svg = new SvgPanels("finit_module results since the herd's release (calls returned so far)", subtitle,
                legend, herds.size(), maxMillis, maxCount);
        for (int i = 0; i < herds.size(); i++) {
            Result r = herds.get(i);
            List<SvgPanels.Line> lines = new ArrayList<>();
            for (String res : RESULTS) {
                lines.add(new SvgPanels.Line(res, COLORS.get(res), rises(r, res), false));
            }
            svg.panel(i, new SvgPanels.Panel(r.policy(), InflightChart.color(r.policy()), String.format(Locale.ROOT,
                    "0: %d, EEXIST: %d, ETXTBSY: %d; %d/%d workers failed", rises(r, "0").length, rises(r, "EEXIST").length,
                    rises(r, "ETXTBSY").length, r.failedWorkers(), r.workers()), lines));
        }
        return svg.finish();
    }

    /** When each finit_module call with {@code result} ended ("other": any result but 0, EEXIST and ETXTBSY). */
    static double[] rises(Result r, String result) {
        return r.trace().stream().filter(t -> t.call().equals("finit_module"))
                .filter(t -> result.equals("other") ? !RESULTS.subList(0, 3).contains(t.result()) : t.result().equals(result))
                .mapToDouble(Accounting.Traced::millis).toArray();
    }
}
