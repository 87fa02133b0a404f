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
 * @param worker which program each worker is
 * @param kmod which kmod release's route the libkmod workers take for a compressed module
 * @param compress the tree as it is, or with every module compressed (and depmod run again)
 * @param repoRoot the denyfs checkout (launcher, native tools); null if not found
 * @param scenario which device events the workers replay (orthogonal to {@code worker}, what runs them)
 */
public record Config(int workers, List<String> policies, String modalias, Path treeRoot, String release, boolean generatedTree,
                         int rounds, Long initMillis, Worker worker, Kmod kmod, Compress compress, Path out,
                         String denyfsCommand, Path repoRoot, Scenario scenario) {
    public static final List<String> ALL_POLICIES = List.of("plain", "exclusive-read", "exclusive", "idempotent");

    /**
     * What each worker is: a fork of one process holding a libkmod context, probing in-process as
     * udev's builtin kmod does (Debian's libkmod), or Debian's modprobe executed in each worker.
     * Either reaches the mount through libdenyfs-preload.so.
     */
    public enum Worker {
        LIBKMOD, MODPROBE
    }

    /**
     * How a compressed module is inserted: kmod 30 (Debian bookworm) decompresses it in user space
     * and calls init_module; kmod 31+ calls finit_module with MODULE_INIT_COMPRESSED_FILE when
     * /sys/module/compression names the file's format.
     */
    public enum Kmod {
        KMOD30, KMOD31
    }

    /** The module tree as prepared, or a copy with every module compressed in this format. */
    public enum Compress {
        NONE, XZ, ZSTD;

        /** The format's name as /sys/module/compression and the mount option spell it. */
        String sysfsName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
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
        if (kmod == Kmod.KMOD31 && worker != Worker.LIBKMOD) {
            throw new IllegalArgumentException("--kmod 31 needs --worker libkmod (Debian's modprobe is kmod 30)");
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
