package org.denyfs.bench.io;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one benchmark session needs, resolved from the command line.
 *
 * @param backingParent where to create the shared backing directory; null means {@code out/backing}
 * @param iobench explicit load generator binary; null means find or build it in the repository
 * @param repoRoot the denyfs checkout (for iobench.c and the default launcher); null if not found
 * @param denyfsOptions {@code -o} options for the denyfs mount; empty for the defaults
 */
public record BenchConfig(long sizeBytes, int files, int runs, int randOps, List<TargetKind> against, Path out,
                          Path backingParent, boolean keep, String denyfsCommand, Path iobench, Path repoRoot,
                          String denyfsOptions) {
    public BenchConfig(long sizeBytes, int files, int runs, int randOps, List<TargetKind> against, Path out,
                       Path backingParent, boolean keep, String denyfsCommand, Path iobench, Path repoRoot) {
        this(sizeBytes, files, runs, randOps, against, out, backingParent, keep, denyfsCommand, iobench, repoRoot, "");
    }

    public BenchConfig {
        denyfsOptions = denyfsOptions == null ? "" : denyfsOptions.trim();
        against = List.copyOf(against);
        if (sizeBytes < 4096) {
            throw new IllegalArgumentException("--size must be at least 4 KiB (random reads need one 4 KiB block)");
        }
        if (files < 1 || runs < 1 || randOps < 1) {
            throw new IllegalArgumentException("--files, --runs and --rand-ops must be positive");
        }
        if (against.isEmpty()) {
            throw new IllegalArgumentException("--against names no target");
        }
    }
}
