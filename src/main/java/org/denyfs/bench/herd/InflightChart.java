package org.denyfs.bench.herd;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG chart of bytes in flight over time, one panel per policy side by side, on shared axes so
 * the policies compare at a glance: plain's wall of duplicate reads, exclusive's and idempotent's
 * single copies. Drawn from the daemon's exact timeline; several events in one pixel column keep
 * their minimum and maximum, so no peak is lost.
 */
final class InflightChart {
    private static final int PANEL_W = 360;
    private static final int PANEL_H = 260;
    private static final int LEFT = 80;
    private static final int TOP = 96;
    private static final int GAP = 40;
    private static final int BOTTOM = 60;
    private static final Map<String, String> COLORS = Map.of(
            "plain", "#d62728", "exclusive-read", "#9467bd", "exclusive", "#ff7f0e", "idempotent", "#2ca02c");

    private InflightChart() {
    }

    /** The policy's colour, the same in every chart. */
    static String color(String policy) {
        return COLORS.getOrDefault(policy, "#1f77b4");
    }

    /** @param herds one result per panel, in the order to draw them */
    static String svg(List<Result> herds, String subtitle) {
        double maxMillis = 1;
        long maxBytes = 1;
        for (Result r : herds) {
            maxMillis = Math.max(maxMillis, r.wallMillis());
            maxBytes = Math.max(maxBytes, Math.max(r.timeline().peak(), r.stat(Result.PEAK)));
        }
        double yTop = niceCeiling(maxBytes / 1048576.0);
        double xRight = niceCeiling(maxMillis / 1000.0);
        int width = LEFT + herds.size() * PANEL_W + (herds.size() - 1) * GAP + 30;
        int height = TOP + PANEL_H + BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">%n",
                width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Module bytes in"
                + " flight in the emulated kernel after the herd's release</text>%n", LEFT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"44\" fill=\"#555\">%s</text>%n", LEFT, escape(subtitle)));
        for (int i = 0; i < herds.size(); i++) {
            panel(s, herds.get(i), LEFT + i * (PANEL_W + GAP), xRight, yTop, i == 0);
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void panel(StringBuilder s, Result r, int x0, double xRight, double yTop, boolean yLabels) {
        int y0 = TOP + PANEL_H;
        String color = COLORS.getOrDefault(r.policy(), "#1f77b4");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\""
                + " fill=\"%s\">%s</text>%n", x0, TOP - 26, color, escape(r.policy())));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, TOP - 9,
                escape(String.format(Locale.ROOT, "peak %.2f MiB, wasted %.2f MiB, %d/%d workers failed",
                        r.stat(Result.PEAK) / 1048576.0, r.stat(Result.WASTED) / 1048576.0, r.failedWorkers(),
                        r.workers()))));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#999\"/>%n", x0, TOP, PANEL_W, PANEL_H));
        for (int k = 0; k <= 4; k++) {
            double yv = yTop * k / 4;
            int y = y0 - (int) Math.round(PANEL_H * k / 4.0);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x0, x0 + PANEL_W, y, y));
            if (yLabels) {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s MiB</text>%n",
                        x0 - 6, y + 4, trim(yv)));
            }
            double xv = xRight * k / 4;
            int x = x0 + (int) Math.round(PANEL_W * k / 4.0);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n",
                    x, y0 + 16, trim(xv)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">seconds since"
                + " release</text>%n", x0 + PANEL_W / 2, y0 + 36));
        s.append(String.format(Locale.ROOT, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"%s\"/>%n", color,
                path(r.timeline(), x0, y0, xRight * 1000, yTop * 1048576)));
    }

    /** A step line; events falling in one pixel column are reduced to first, max, min and last. */
    static String path(Accounting.Timeline t, int x0, int y0, double xMaxMillis, double yMaxBytes) {
        StringBuilder d = new StringBuilder(String.format(Locale.ROOT, "M%d,%d", x0, y0));
        long last = 0;
        int column = x0;
        long first = 0;
        long min = 0;
        long max = 0;
        boolean open = false;
        for (int i = 0; i < t.millis().length; i++) {
            int x = x0 + (int) Math.round(Math.min(1, Math.max(0, t.millis()[i]) / xMaxMillis) * PANEL_W);
            long b = t.bytes()[i];
            if (open && x == column) {
                min = Math.min(min, b);
                max = Math.max(max, b);
                last = b;
                continue;
            }
            if (open) {
                emit(d, column, y0, yMaxBytes, first, max, min, last);
            }
            d.append(String.format(Locale.ROOT, " H%d", x));
            column = x;
            first = b;
            min = b;
            max = b;
            last = b;
            open = true;
        }
        if (open) {
            emit(d, column, y0, yMaxBytes, first, max, min, last);
        }
        d.append(String.format(Locale.ROOT, " H%d", x0 + PANEL_W));
        return d.toString();
    }

    private static void emit(StringBuilder d, int x, int y0, double yMax, long first, long max, long min, long last) {
        for (long v : new long[] {first, max, min, last}) {
            d.append(String.format(Locale.ROOT, " V%.1f", y0 - v / yMax * PANEL_H));
        }
    }

    /** The smallest of 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8 times a power of ten that is at least {@code v}: quarters stay round. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
