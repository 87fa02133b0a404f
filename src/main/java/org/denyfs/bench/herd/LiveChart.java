package org.denyfs.bench.herd;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Modules live over time against modules requested, one panel per policy on shared axes: the
 * coldplug's boot. Where the solid line stays below the dashed one, drivers were lost (the seed
 * commit's revert); where it reaches it, the time it does is the seed's "boot time".
 */
final class LiveChart {
    private LiveChart() {
    }

    /** @param herds one result per panel, in the order to draw them */
    static String svg(List<Result> herds, String subtitle) {
        double maxMillis = 1;
        int maxCount = 1;
        for (Result r : herds) {
            maxMillis = Math.max(maxMillis, r.wallMillis());
            maxCount = Math.max(maxCount, r.requested().size());
        }
        SvgPanels svg = new SvgPanels("Requested modules live since the herd's release", subtitle,
                List.of(new String[] {"modules live", "#333", ""}, new String[] {"modules requested", "#999", "dashed"}),
                herds.size(), maxMillis, maxCount);
        for (int i = 0; i < herds.size(); i++) {
            Result r = herds.get(i);
            double last = r.lastLiveMillis();
            String figures = String.format(Locale.ROOT, "%d/%d live at the end, %d missing%s",
                    r.requested().size() - r.missing().size(), r.requested().size(), r.missing().size(),
                    Double.isNaN(last) ? "" : String.format(Locale.ROOT, ", all live at %.2f s", last / 1000));
            String color = InflightChart.color(r.policy());
            svg.panel(i, new SvgPanels.Panel(r.policy(), color, figures, List.of(
                    new SvgPanels.Line("requested", "#999", SvgPanels.flat(r.requested().size()), true),
                    new SvgPanels.Line("live", color, rises(r), false))));
        }
        return svg.finish();
    }

    /** When each requested module went live, in order; one live before the release (--in-flight's) at the start. */
    static double[] rises(Result r) {
        Map<String, Double> at = r.liveAt();
        return r.requested().stream().filter(r.live()::contains).mapToDouble(m -> at.getOrDefault(m, Double.NEGATIVE_INFINITY))
                .sorted().toArray();
    }
}
