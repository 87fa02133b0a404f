package org.denyfs.bench.io;

import java.util.Arrays;

/** Order statistics over a handful of samples (runs). */
public final class Stats {
    private Stats() {
    }

    /** Middle value; mean of the two middle values for an even count. NaN when empty. */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Nearest-rank percentile (the same definition iobench uses for p99): the ceil(p/100 * n)-th smallest. */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(rank, 1) - 1];
    }

    /** value / reference, NaN when either is missing or the reference is not positive. */
    public static double ratio(double value, double reference) {
        if (Double.isNaN(value) || Double.isNaN(reference) || reference <= 0) {
            return Double.NaN;
        }
        return value / reference;
    }
}
