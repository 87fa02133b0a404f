package org.denyfs.kernel.natives;

/**
 * The fs-verity ioctls of linux/fsverity.h and the structs they carry, as FUSE hands them to the
 * daemon, plus the few fields of {@code struct fuse_ioctl_in} (linux/fuse.h) that say how many bytes
 * the kernel really copied in and will copy out (jnr-fuse's ioctl callback does not pass them on).
 * StructLayoutTest compares every number with the compiler's.
 */
public final class VerityArgs {
    /** {@code _IOW('f', 133, struct fsverity_enable_arg)}. */
    public static final int FS_IOC_ENABLE_VERITY = 0x40806685;
    /** {@code _IOWR('f', 134, struct fsverity_digest)}. */
    public static final int FS_IOC_MEASURE_VERITY = 0xc0046686;
    /** {@code _IOWR('f', 135, struct fsverity_read_metadata_arg)}. */
    public static final int FS_IOC_READ_VERITY_METADATA = 0xc0286687;

    public static final int FS_VERITY_HASH_ALG_SHA256 = 1;
    public static final int FS_VERITY_HASH_ALG_SHA512 = 2;

    // struct fsverity_enable_arg; the kernel appends the salt, then the signature, after it
    public static final int ENABLE_VERSION = 0;
    public static final int ENABLE_HASH_ALGORITHM = 4;
    public static final int ENABLE_BLOCK_SIZE = 8;
    public static final int ENABLE_SALT_SIZE = 12;
    public static final int ENABLE_SIG_SIZE = 24;
    public static final int ENABLE_RESERVED1 = 28;
    public static final int ENABLE_RESERVED2 = 40;
    public static final int ENABLE_BYTES = 128;

    // struct fsverity_digest
    public static final int DIGEST_ALGORITHM = 0;
    public static final int DIGEST_SIZE = 2;
    public static final int DIGEST = 4;

    // struct fsverity_descriptor: what the fs-verity file digest is the hash of
    public static final int DESC_VERSION = 0;
    public static final int DESC_HASH_ALGORITHM = 1;
    public static final int DESC_LOG_BLOCKSIZE = 2;
    public static final int DESC_SALT_SIZE = 3;
    public static final int DESC_DATA_SIZE = 8;
    public static final int DESC_ROOT_HASH = 16;
    public static final int DESC_SALT = 80;
    public static final int DESC_BYTES = 256;
    public static final int MAX_SALT = 32;
    public static final int MAX_DIGEST = 64;

    // struct fuse_ioctl_in, after struct fuse_in_header
    public static final int FUSE_IOCTL = 39;
    public static final int IOCTL_IN_FH = 0;
    public static final int IOCTL_IN_CMD = 12;
    public static final int IOCTL_IN_IN_SIZE = 24;
    public static final int IOCTL_IN_OUT_SIZE = 28;

    private VerityArgs() {}
}
