package org.denyfs.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.denyfs.image.Compression;
import org.denyfs.kernel.passthrough.ExclusiveReads;
import org.denyfs.kernel.module.MemoryLimits;

/**
 * The {@code -o} options of {@code denyfs mount} (and of {@code mount -t fuse.denyfs} and /etc/fstab),
 * parsed once. Three kinds are accepted besides denyfs's own: the generic mount flags libfuse hands
 * to mount(2), the FUSE options that do not change what denyfs is, and the options meant for
 * mount(8), systemd or the helper, which are ignored as mount.fuse(8) ignores them. Anything else is
 * refused rather than passed on, so a typo never mounts something the user did not ask for.
 */
public record MountOptions(boolean debug, Path logFile, String logLevel, String policy, String kernelRelease,
        Long initMillis, Long symbolWaitMillis, String fsname, Cache cache, List<String> fuseOptions, MemoryLimits memory,
        String exclusiveRead, Compression moduleCompression, PassthroughMode passthrough, int backingIdsParked) {
    public static final List<String> POLICIES = List.of("plain", "exclusive", "exclusive-read", "idempotent");
    public static final String DEFAULT_POLICY = "idempotent";
    /** The format the emulated kernel's module_decompress() undoes unless module_compression= says otherwise. */
    public static final Compression DEFAULT_MODULE_COMPRESSION = Compression.XZ;

    /** The generic flags of mount(8) that libfuse 2.9 passes to mount(2) (its lib/mount.c table). */
    static final Set<String> KERNEL_FLAGS = Set.of("rw", "ro", "suid", "nosuid", "dev", "nodev", "exec", "noexec",
            "atime", "noatime", "sync", "async", "dirsync");
    /** mount.fuse(8)'s general FUSE options a user may set on a denyfs mount. */
    static final Set<String> FUSE_FLAGS = Set.of("allow_other", "default_permissions", "nonempty");
    /**
     * For mount(8), fstab and systemd, not the file system: mount.fuse drops them too. relatime is the
     * kernel's default, which libfuse 2.9 cannot name.
     */
    static final Set<String> IGNORED = Set.of("defaults", "auto", "noauto", "user", "nouser", "users", "owner",
            "group", "_netdev", "nofail", "relatime");
    /** Prefixes of ignored options: x-systemd.automount, x-mount.mkdir, comment=systemd.automount. */
    static final List<String> IGNORED_PREFIXES = List.of("x-", "comment=");

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

    /** Mounted read-only: "ro" among the flags passed to mount(2), and no "rw" after it (the last wins). */
    public boolean readOnly() {
        return fuseOptions.lastIndexOf("ro") > fuseOptions.lastIndexOf("rw");
    }

    /** The files read exclusively ({@code -o exclusive_read=GLOB[:GLOB...]}, several joined). */
    public ExclusiveReads exclusiveReads() {
        return exclusiveRead == null ? ExclusiveReads.NONE : ExclusiveReads.parse(exclusiveRead);
    }

    /**
     * Kernel FUSE passthrough (Linux 6.9+): reads, writes and mappings of backing files go from the
     * kernel to the backing file without the daemon; opens, closes and truncates still come to it.
     * {@code auto} uses it where the kernel, the daemon's CAP_SYS_ADMIN and the reply filter allow
     * and serves I/O itself otherwise; {@code on} refuses to mount where it cannot; {@code off}
     * never asks. {@code auto} is the default. A shared mapping of a passthrough file holds the
     * backing file, not the FUSE file, so its RELEASE comes at close(2), not at munmap; the write
     * access of a read-write open then lasts as long as such a mapping may write
     * (kernel.pending.WritableMappings). See README, "Kernel passthrough".
     */
    public enum PassthroughMode { AUTO, ON, OFF }

    /** What the mount does unless passthrough= says otherwise. */
    public static final PassthroughMode DEFAULT_PASSTHROUGH = PassthroughMode.AUTO;

    /**
     * Backing ids kept after their inode's last release unless backing_ids_parked= says otherwise
     * (kernel.passthrough.BackingIds). Each keeps its backing file open in the kernel, about 1.5 KB
     * of kernel memory that cannot be reclaimed while it is parked (a struct file, and the inode and
     * dentry it pins: measured by /proc/slabinfo with 1024 parked), so this many cost up to 12 MB; a
     * working set of more files than this, opened in turn, pays two ioctls per open instead.
     */
    public static final int DEFAULT_BACKING_IDS_PARKED = 8192;
    /**
     * backing_ids_parked='s largest value: about 100 MB of pinned kernel memory, and 6 MB of the
     * daemon's heap (-Xmx128m) for the table that names them.
     */
    static final int MAX_BACKING_IDS_PARKED = 1 << 16;

    public static MountOptions defaults() {
        return new MountOptions(false, null, null, DEFAULT_POLICY, null, null, null, null, Cache.RELAXED, List.of(),
                MemoryLimits.DEFAULTS, null, DEFAULT_MODULE_COMPRESSION, DEFAULT_PASSTHROUGH, DEFAULT_BACKING_IDS_PARKED);
    }

    /** Parses "debug,log=/tmp/x,policy=plain"; several -o values may be joined with commas. */
    public static MountOptions parse(List<String> values) {
        boolean debug = false;
        Path log = null;
        String logLevel = null;
        String policy = DEFAULT_POLICY;
        String kernel = null;
        Long initMillis = null;
        Long symbolWaitMillis = null;
        String fsname = null;
        Cache cache = Cache.RELAXED;
        Compression moduleCompression = DEFAULT_MODULE_COMPRESSION;
        PassthroughMode passthrough = DEFAULT_PASSTHROUGH;
        int backingIdsParked = DEFAULT_BACKING_IDS_PARKED;
        long maxImage = MemoryLimits.DEFAULTS.maxImage();
        long maxInFlight = MemoryLimits.DEFAULTS.maxInFlight();
        long maxPerUid = MemoryLimits.DEFAULTS.maxInFlightPerUid();
        List<String> fuse = new ArrayList<>();
        String exclusiveRead = null;
        for (String value : values) {
            for (String opt : value.split(",")) {
                if (opt.isBlank() || IGNORED.contains(opt) || IGNORED_PREFIXES.stream().anyMatch(opt::startsWith)) {
                    continue;
                }
                int eq = opt.indexOf('=');
                String name = eq < 0 ? opt : opt.substring(0, eq);
                String arg = eq < 0 ? null : opt.substring(eq + 1);
                switch (name) {
                    case "debug" -> debug = true;
                    case "log" -> log = Path.of(require(name, arg));
                    case "log_level" -> logLevel = require(name, arg);
                    case "policy" -> {
                        policy = require(name, arg).toLowerCase(Locale.ROOT);
                        if (!POLICIES.contains(policy)) {
                            throw new IllegalArgumentException("policy=" + arg + ": expected one of " + String.join(", ", POLICIES));
                        }
                    }
                    case "kernel" -> kernel = require(name, arg);
                    case "init_ms" -> initMillis = milliseconds(name, require(name, arg));
                    case "symbol_wait_ms" -> symbolWaitMillis = milliseconds(name, require(name, arg));
                    case "fsname" -> fsname = require(name, arg);
                    case "exclusive_read" -> {
                        ExclusiveReads.parse(require(name, arg)); // refused here, with the glob named
                        exclusiveRead = exclusiveRead == null ? arg : exclusiveRead + ":" + arg;
                    }
                    case "module_compression" -> moduleCompression = moduleCompression(require(name, arg));
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
                    case "passthrough" -> {
                        String mode = require(name, arg);
                        try {
                            passthrough = PassthroughMode.valueOf(mode.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("passthrough=" + arg + ": expected auto, on or off");
                        }
                    }
                    case "backing_ids_parked" -> backingIdsParked = count(name, require(name, arg), MAX_BACKING_IDS_PARKED);
                    case "attr_timeout", "entry_timeout", "negative_timeout" -> {
                        seconds(name, require(name, arg));
                        fuse.add(opt);
                    }
                    default -> {
                        if (arg != null || !(KERNEL_FLAGS.contains(name) || FUSE_FLAGS.contains(name))) {
                            throw new IllegalArgumentException("unknown mount option '" + opt + "' (see denyfs mount --help)");
                        }
                        if (!fuse.contains(opt)) {
                            fuse.add(opt);
                        }
                    }
                }
            }
        }
        return new MountOptions(debug, log, logLevel, policy, kernel, initMillis, symbolWaitMillis, fsname, cache, List.copyOf(fuse),
                new MemoryLimits(maxImage, maxInFlight, maxPerUid), exclusiveRead, moduleCompression, passthrough,
                backingIdsParked);
    }

    /** module_compression=xz|zstd|gzip|none, as /sys/module/compression spells them; none is null. */
    static Compression moduleCompression(String arg) {
        if (arg.equals("none")) {
            return null;
        }
        for (Compression c : Compression.values()) {
            if (c.sysfsName().equals(arg)) {
                return c;
            }
        }
        throw new IllegalArgumentException("module_compression=" + arg + ": expected xz, zstd, gzip or none");
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

    private static long milliseconds(String name, String arg) {
        long ms;
        try {
            ms = Long.parseLong(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + arg + ": not a number of milliseconds");
        }
        if (ms < 0) {
            throw new IllegalArgumentException(name + "=" + arg + ": must not be negative");
        }
        return ms;
    }

    /** A whole number from 0 to {@code max}. */
    private static int count(String name, String arg, int max) {
        long n;
        try {
            n = Long.parseLong(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + arg + ": not a whole number");
        }
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(name + "=" + arg + ": must be between 0 and " + max);
        }
        return (int) n;
    }

    private static void seconds(String name, String arg) {
        try {
            if (!(Double.parseDouble(arg) >= 0)) {
                throw new IllegalArgumentException(name + "=" + arg + ": must not be negative");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + arg + ": not a number of seconds");
        }
    }
}
