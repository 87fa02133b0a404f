package org.denyfs.bench.io;

import java.util.ArrayList;
import java.util.List;

/**
 * The workloads of one run, in the order they run. Order matters only for the seq file: each
 * target's reads use the file its own writes just left behind.
 */
public enum Workload {
    SEQWRITE("seqwrite", "seq write 128 KiB blocks, no fsync", List.of(Metric.MIB_PER_S)),
    SEQWRITE_FSYNC("seqwrite-fsync", "seq write 128 KiB blocks + fsync", List.of(Metric.MIB_PER_S)),
    SEQREAD_WARM("seqread-warm", "seq read, backing cache warm", List.of(Metric.MIB_PER_S)),
    SEQREAD_COLD("seqread-cold", "seq read, all caches dropped", List.of(Metric.MIB_PER_S)),
    RANDREAD("randread-4k", "random 4 KiB preads after an untimed read pass", List.of(Metric.OPS_PER_S, Metric.MEDIAN_US, Metric.P99_US)),
    META_CREATE("meta-create", "creat+close", List.of(Metric.OPS_PER_S, Metric.MEDIAN_US, Metric.P99_US)),
    META_OPEN_RO("meta-open-ro", "open O_RDONLY+close", List.of(Metric.OPS_PER_S, Metric.MEDIAN_US, Metric.P99_US)),
    META_OPEN_WO("meta-open-wo", "open O_WRONLY+close", List.of(Metric.OPS_PER_S, Metric.MEDIAN_US, Metric.P99_US)),
    META_UNLINK("meta-unlink", "unlink", List.of(Metric.OPS_PER_S, Metric.MEDIAN_US, Metric.P99_US));

    /** Fixed so every target and every run read the same offsets. */
    static final long RANDOM_SEED = 42;

    private final String id;
    private final String description;
    private final List<Metric> metrics;

    Workload(String id, String description, List<Metric> metrics) {
        this.id = id;
        this.description = description;
        this.metrics = metrics;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The figures the table shows for this workload (CSV/JSON carry all of them). */
    public List<Metric> metrics() {
        return metrics;
    }

    /** Dropping caches needs root; without it this workload cannot be run fairly at all. */
    public boolean needsDropCaches() {
        return this == SEQREAD_COLD;
    }

    /** The iobench argument vector (after the binary) for this workload on {@code dir}. */
    public List<String> iobenchArgs(String dir, BenchConfig cfg) {
        List<String> a = new ArrayList<>();
        switch (this) {
            case SEQWRITE, SEQWRITE_FSYNC -> {
                a.addAll(List.of("seqwrite", dir, "--size", Long.toString(cfg.sizeBytes())));
                if (this == SEQWRITE_FSYNC) {
                    a.add("--fsync");
                }
            }
            case SEQREAD_WARM -> a.addAll(List.of("seqread", dir, "--warmup"));
            case SEQREAD_COLD -> a.addAll(List.of("seqread", dir, "--drop-caches"));
            // --warmup: each target has its own file and a later target's drop_caches evicts an earlier
            // one's, so without it the cache state would depend on the position in the rotated order.
            case RANDREAD -> a.addAll(List.of("randread", dir, "--warmup", "--count", Integer.toString(cfg.randOps()),
                    "--seed", Long.toString(RANDOM_SEED)));
            default -> a.addAll(List.of(id, dir, "--files", Integer.toString(cfg.files())));
        }
        return a;
    }
}
