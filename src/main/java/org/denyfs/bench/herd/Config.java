package org.denyfs.bench.herd;

import java.nio.file.Path;
import java.util.List;

/**
 * One {@code denyfs bench herd} session, resolved from the command line.
 *
 * @param policies the module-load policies to compare, in the order given
 * @param modalias the MODALIAS every worker loads; null means this machine's CPU modalias
 * @param treeRoot a module tree (holding lib/modules/RELEASE); null means the cached Debian tree
 * @param release the kernel release under lib/modules; null means the tree's only one
 * @param generatedTree build a tree of Debian's shape here instead of using Debian's package
 * @param initMillis how long each emulated module init takes; null means scaled to the herd (see HerdCommand)
 * @param client which loader the workers run
 * @param repoRoot the denyfs checkout (launcher, native tools); null if not found
 * @param scenario which device events the workers replay (orthogonal to {@code client}, what runs them)
 */
public record Config(int workers, List<String> policies, String modalias, Path treeRoot, String release, boolean generatedTree,
                         int rounds, Long initMillis, Client client, Path out, String denyfsCommand, Path repoRoot,
                         Scenario scenario) {
    public static final List<String> ALL_POLICIES = List.of("plain", "exclusive-read", "exclusive", "idempotent");

    /** The loader each worker runs: denyfs's native one, or Debian's kmod through the preload library. */
    public enum Client {
        DENYFS, KMOD
    }

    public Config {
        policies = List.copyOf(new java.util.LinkedHashSet<>(policies));
        if (scenario == null) {
            scenario = Scenario.cpu();
        }
        if (scenario.kind() == Scenario.Kind.COLDPLUG && modalias != null) {
            throw new IllegalArgumentException("--modalias goes with the cpu scenario (coldplug takes --events FILE)");
        }
        if (workers < 1 || workers > 10_000) {
            throw new IllegalArgumentException("--workers must be between 1 and 10000");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be positive");
        }
        if (initMillis != null && initMillis < 0) {
            throw new IllegalArgumentException("--init-ms must not be negative");
        }
        if (policies.isEmpty() || !ALL_POLICIES.containsAll(policies)) {
            throw new IllegalArgumentException("--policy takes all, or one or more of " + String.join(", ", ALL_POLICIES));
        }
    }

    /**
     * The emulated init time: as given, or 10 ms (the mount's default) times workers per CPU. A
     * worker's user-space steps between its LIVE check and its finit_module are slowed by the number
     * of workers sharing each CPU; stretching init by the same factor keeps the ratio of the two what
     * it is on a machine with a CPU per worker, like the seed's 255-vCPU guest.
     */
    public long effectiveInitMillis(int cpus) {
        return initMillis != null ? initMillis : Math.max(10, 10L * workers / Math.max(1, cpus));
    }
}
