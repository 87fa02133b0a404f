package org.denyfs.kernel.natives;

/**
 * libfuse 2.9's {@code struct fuse_conn_info} (fuse_common.h), which INIT hands the file system:
 * {@code unsigned proto_major, proto_minor, async_read, max_write, max_readahead, capable, want; ...}.
 */
public final class ConnInfo {
    public static final int CAPABLE = 20;
    public static final int WANT = 24;
    /** FUSE_CAP_DONT_MASK: the kernel leaves the umask to the file system. */
    public static final int FUSE_CAP_DONT_MASK = 1 << 6;

    private ConnInfo() {}
}
