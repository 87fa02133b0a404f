package org.denyfs.bench.io;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one session measured and everything worth knowing to trust it.
 *
 * @param problems failures that make the exit status non-zero (a measurement, a mount, an unmount)
 * @param notes skipped targets or workloads and warnings, which do not
 */
public record BenchReport(BenchConfig config, Path backing, String backingFilesystem, Map<String, Object> host,
                          List<TargetStatus> targets, List<Workload> workloads, List<RunResult> results,
                          List<String> problems, List<String> notes, Instant started, Instant finished) {
    public BenchReport {
        targets = List.copyOf(targets);
        workloads = List.copyOf(workloads);
        results = List.copyOf(results);
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** Targets that were measured, in --against order. */
    public List<String> measuredTargets() {
        return targets.stream().filter(TargetStatus::ok).map(TargetStatus::name).toList();
    }

    public Summary summary() {
        return Summary.of(results);
    }
}
