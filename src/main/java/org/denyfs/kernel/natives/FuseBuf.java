package org.denyfs.kernel.natives;

/**
 * libfuse 2.9's {@code struct fuse_buf} (fuse_common.h): where fuse_session_receive_buf puts a
 * request. {@code struct fuse_buf { size_t size; enum fuse_buf_flags flags; void *mem; int fd; off_t pos; }}.
 */
public final class FuseBuf {
    public static final int SIZE = 0;
    public static final int FLAGS = 8;
    public static final int MEM = 16;
    public static final int FD = 24;
    public static final int POS = 32;
    public static final int BYTES = 40;
    /** FUSE_BUF_IS_FD: the request is in {@code fd} (splice), not in {@code mem}. */
    public static final int IS_FD = 1 << 1;

    private FuseBuf() {}
}
