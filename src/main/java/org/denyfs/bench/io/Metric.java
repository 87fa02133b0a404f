package org.denyfs.bench.io;

/** A figure iobench reports, with the direction in which it is good (the table says which). */
public enum Metric {
    MIB_PER_S("MiB/s", true),
    OPS_PER_S("ops/s", true),
    MEDIAN_US("median us", false),
    P99_US("p99 us", false);

    private final String label;
    private final boolean higherIsBetter;

    Metric(String label, boolean higherIsBetter) {
        this.label = label;
        this.higherIsBetter = higherIsBetter;
    }

    public String label() {
        return label;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Column/field name in CSV and JSON. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public double of(RunResult r) {
        return switch (this) {
            case MIB_PER_S -> r.mibPerSecond();
            case OPS_PER_S -> r.opsPerSecond();
            case MEDIAN_US -> r.medianNanos() / 1000.0;
            case P99_US -> r.p99Nanos() / 1000.0;
        };
    }
}
