package org.denyfs.bench.io;

/** One iobench invocation: which target, workload, run and slot in the rotated order, and what it measured. */
public record RunResult(String target, Workload workload, int run, int position, long ops, long bytes,
                        double seconds, double mibPerSecond, double opsPerSecond, long medianNanos, long p99Nanos) {
}
