package org.denyfs.bench.herd;

import java.util.List;
import java.util.Locale;

/**
 * What the herd's count charts share: an SVG of side-by-side panels, one per policy, on shared axes
 * (seconds since the release across, a count up), each with its own step lines. Counts only grow
 * here (calls returned so far, modules live so far), so a step line is exact at any scale.
 */
final class SvgPanels {
    static final int PANEL_W = 360;
    static final int PANEL_H = 260;
    static final int LEFT = 80;
    static final int TOP = 110;
    static final int GAP = 40;
    static final int BOTTOM = 60;

    /** One line of a panel: the times (ms since the release, ascending) at which the count rose by one. */
    record Line(String label, String color, double[] riseMillis, boolean dashed) {}

    /** One panel: its title, a line of figures under it, and its lines. */
    record Panel(String title, String titleColor, String figures, List<Line> lines) {}

    private final StringBuilder s = new StringBuilder();
    private final double xRightSeconds;
    private final double yTop;
    private final int panels;

    SvgPanels(String title, String subtitle, List<String[]> legend, int panels, double maxMillis, double maxCount) {
        this.panels = panels;
        this.xRightSeconds = InflightChart.niceCeiling(Math.max(maxMillis, 1) / 1000.0);
        this.yTop = Math.max(1, InflightChart.niceCeiling(Math.max(1, maxCount)));
        int width = LEFT + panels * PANEL_W + (panels - 1) * GAP + 30;
        int height = TOP + PANEL_H + BOTTOM;
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">%n",
                width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", LEFT,
                escape(title)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"44\" fill=\"#555\">%s</text>%n", LEFT, escape(subtitle)));
        int x = LEFT;
        for (String[] entry : legend) { // {label, color, "dashed" or ""}
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"62\" y2=\"62\" stroke=\"%s\" stroke-width=\"2.5\"%s/>%n",
                    x, x + 24, entry[1], entry[2].isEmpty() ? "" : " stroke-dasharray=\"5,3\""));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"66\">%s</text>%n", x + 30, escape(entry[0])));
            x += 40 + 8 * entry[0].length();
        }
    }

    void panel(int index, Panel p) {
        int x0 = LEFT + index * (PANEL_W + GAP);
        int y0 = TOP + PANEL_H;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\" fill=\"%s\">%s</text>%n",
                x0, TOP - 24, p.titleColor(), escape(p.title())));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, TOP - 8, escape(p.figures())));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                x0, TOP, PANEL_W, PANEL_H));
        for (int k = 0; k <= 4; k++) {
            int y = y0 - (int) Math.round(PANEL_H * k / 4.0);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x0, x0 + PANEL_W, y, y));
            if (index == 0) {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", x0 - 6, y + 4,
                        trim(yTop * k / 4)));
            }
            int x = x0 + (int) Math.round(PANEL_W * k / 4.0);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n", x, y0 + 16,
                    trim(xRightSeconds * k / 4)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">seconds since"
                + " release</text>%n", x0 + PANEL_W / 2, y0 + 36));
        for (Line l : p.lines()) {
            s.append(String.format(Locale.ROOT, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s d=\"%s\"/>%n", l.color(),
                    l.dashed() ? "1.5" : "2", l.dashed() ? " stroke-dasharray=\"5,3\"" : "", steps(l.riseMillis(), x0, y0)));
        }
    }

    /** A horizontal line at {@code count} across a panel (a target such as "modules requested"). */
    static double[] flat(int count) {
        double[] at = new double[count];
        java.util.Arrays.fill(at, Double.NEGATIVE_INFINITY);
        return at;
    }

    /** The step line of a count that rises by one at each of {@code rises}: exact, as counts only grow. */
    String steps(double[] rises, int x0, int y0) {
        StringBuilder d = new StringBuilder();
        int count = 0;
        int lastX = x0;
        double lastY = y(0, y0);
        for (double ms : rises) {
            // several rises at one pixel become one vertical step; a rise before the release starts the line higher
            int x = ms == Double.NEGATIVE_INFINITY ? x0 : x0 + (int) Math.round(Math.min(1, Math.max(0, ms / (xRightSeconds * 1000))) * PANEL_W);
            if (d.length() == 0) {
                d.append(String.format(Locale.ROOT, "M%d,%.1f", x0, y(count, y0)));
            }
            if (x != lastX) {
                d.append(String.format(Locale.ROOT, " H%d", x));
                lastX = x;
            }
            count++;
            lastY = y(count, y0);
            d.append(String.format(Locale.ROOT, " V%.1f", lastY));
        }
        if (d.length() == 0) {
            d.append(String.format(Locale.ROOT, "M%d,%.1f", x0, lastY));
        }
        d.append(String.format(Locale.ROOT, " H%d", x0 + PANEL_W));
        return d.toString();
    }

    private double y(int count, int y0) {
        return y0 - Math.min(1, count / yTop) * PANEL_H;
    }

    String finish() {
        s.append("</svg>\n");
        return s.toString();
    }

    int panels() {
        return panels;
    }

    static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
