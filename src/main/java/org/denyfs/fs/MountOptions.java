package org.denyfs.fs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.denyfs.module.MemoryLimits;

/**
 * The {@code -o} options of {@code denyfs mount}, parsed once. Unknown options are refused rather
 * than passed to libfuse, so a typo never mounts something the user did not ask for.
 */
public record MountOptions(boolean debug, Path logFile, String policy, String kernelRelease, Long initMillis,
        Cache cache, List<String> fuseOptions, MemoryLimits memory) {
    public static final List<String> POLICIES = List.of("plain", "exclusive", "idempotent");
    public static final String DEFAULT_POLICY = "idempotent";

    /**
     * How much the kernel may cache of what the backing directory holds.
     * <ul>
     *   <li>{@code relaxed} (default): the kernel keeps names and attributes for a second and a
     *       file's pages across opens while its mtime and size stay the same (libfuse's auto_cache).
     *       Changes made through the mount are seen at once; a change made behind its back, in
     *       BACKING directly, can take up to a second to show, or longer if it keeps both mtime and
     *       size.</li>
     *   <li>{@code exact}: names, attributes and file contents are asked of BACKING at every use
     *       and every open, so a change made behind the mount's back is seen by the next operation
     *       through the mount, at the price of a round trip per path component and no page cache
     *       across opens.</li>
     * </ul>
     */
    public enum Cache { RELAXED, EXACT }

    public static MountOptions defaults() {
        return new MountOptions(false, null, DEFAULT_POLICY, null, null, Cache.RELAXED, List.of(), MemoryLimits.DEFAULTS);
    }

    /** Parses "debug,log=/tmp/x,policy=plain"; several -o values may be joined with commas. */
    public static MountOptions parse(List<String> values) {
        boolean debug = false;
        Path log = null;
        String policy = DEFAULT_POLICY;
        String kernel = null;
        Long initMillis = null;
        Cache cache = Cache.RELAXED;
        List<String> fuse = new ArrayList<>();
        long maxImage = MemoryLimits.DEFAULTS.maxImage();
        long maxInFlight = MemoryLimits.DEFAULTS.maxInFlight();
        long maxPerUid = MemoryLimits.DEFAULTS.maxInFlightPerUid();
        for (String value : values) {
            for (String opt : value.split(",")) {
                if (opt.isBlank()) {
                    continue;
                }
                int eq = opt.indexOf('=');
                String name = eq < 0 ? opt : opt.substring(0, eq);
                String arg = eq < 0 ? null : opt.substring(eq + 1);
                switch (name) {
                    case "debug" -> debug = true;
                    case "log" -> log = Path.of(require(name, arg));
                    case "policy" -> {
                        policy = require(name, arg).toLowerCase(Locale.ROOT);
                        if (!POLICIES.contains(policy)) {
                            throw new IllegalArgumentException("policy=" + arg + ": expected one of " + String.join(", ", POLICIES));
                        }
                    }
                    case "kernel" -> kernel = require(name, arg);
                    case "init_ms" -> {
                        try {
                            initMillis = Long.parseLong(require(name, arg));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("init_ms=" + arg + ": not a number of milliseconds");
                        }
                        if (initMillis < 0) {
                            throw new IllegalArgumentException("init_ms=" + arg + ": must not be negative");
                        }
                    }
                    case "max_module_bytes" -> maxImage = bytes(name, arg, Integer.MAX_VALUE);
                    case "max_inflight_bytes" -> maxInFlight = bytes(name, arg, Long.MAX_VALUE);
                    case "max_inflight_bytes_per_uid" -> maxPerUid = bytes(name, arg, Long.MAX_VALUE);
                    case "cache" -> {
                        try {
                            cache = Cache.valueOf(require(name, arg).toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("cache=" + arg + ": expected relaxed or exact");
                        }
                    }
                    case "ro", "noexec", "nosuid", "nodev", "noatime" -> fuse.add(opt);
                    case "attr_timeout", "entry_timeout", "negative_timeout" -> {
                        try {
                            Double.parseDouble(require(name, arg));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException(name + "=" + arg + ": not a number of seconds");
                        }
                        fuse.add(opt);
                    }
                    default -> throw new IllegalArgumentException("unknown mount option '" + opt + "' (see denyfs mount --help)");
                }
            }
        }
        return new MountOptions(debug, log, policy, kernel, initMillis, cache, List.copyOf(fuse),
                new MemoryLimits(maxImage, maxInFlight, maxPerUid));
    }

    /** A positive byte count, optionally with a binary suffix: 4096, 64K, 256M, 1G. */
    static long bytes(String name, String arg, long max) {
        String v = require(name, arg);
        long unit = switch (Character.toUpperCase(v.charAt(v.length() - 1))) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        long n;
        try {
            n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + arg + ": not a byte count (e.g. 4096, 64K, 256M, 1G)");
        }
        if (n <= 0 || n > max / unit) {
            throw new IllegalArgumentException(name + "=" + arg + ": must be between 1 and " + max + " bytes");
        }
        return n * unit;
    }

    private static String require(String name, String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("mount option " + name + "= needs a value");
        }
        return arg;
    }
}
