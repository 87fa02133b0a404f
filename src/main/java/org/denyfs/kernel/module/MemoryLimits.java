package org.denyfs.kernel.module;

/**
 * How much memory the emulated kernel may hold in module images (its vmalloc), so that no caller can
 * make the daemon grow without bound: an init_module upload, a finit_module read and a
 * decompression each take their buffer from this budget before anything is allocated, and give it
 * back when the buffer is freed.
 *
 * @param maxImage        the largest single module buffer: a file over it is EFBIG for finit_module
 *                        (kernel_read_file's size limit), an init_module LEN or a decompressed image
 *                        over it is ENOMEM (the kernel's vmalloc failure)
 * @param maxInFlight     module bytes held at once by all callers together; ENOMEM when reached
 * @param maxInFlightPerUid module bytes held at once by the callers of one uid; ENOMEM when reached
 */
public record MemoryLimits(long maxImage, long maxInFlight, long maxInFlightPerUid) {
    private static final long MIB = 1L << 20;

    /**
     * The defaults: 256 MiB per image (the largest module of Debian's 6.1 cloud kernel is 4.2 MB,
     * xfs.ko; of its generic kernel, amdgpu.ko, about 20 MB), 1 GiB in flight in all, 768 MiB per
     * uid. udev's herd of 1000 workers under the plain policy peaks at 535 MB in flight, all uid 0.
     */
    public static final MemoryLimits DEFAULTS = new MemoryLimits(256 * MIB, 1024 * MIB, 768 * MIB);

    public MemoryLimits {
        if (maxImage <= 0 || maxInFlight <= 0 || maxInFlightPerUid <= 0) {
            throw new IllegalArgumentException("memory limits must be positive");
        }
        if (maxImage > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max image " + maxImage + " is over INT_MAX, the kernel's own limit");
        }
    }

    /** The figures as the status reply shows them. */
    String figures() {
        return "module_bytes_max=" + maxImage + " inflight_bytes_max=" + maxInFlight
                + " inflight_bytes_per_uid_max=" + maxInFlightPerUid;
    }
}
