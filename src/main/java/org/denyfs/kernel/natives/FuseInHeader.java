package org.denyfs.kernel.natives;

/**
 * The kernel's {@code struct fuse_in_header} (linux/fuse.h), the start of every request, and the
 * opcodes the daemon itself looks at.
 */
public final class FuseInHeader {
    public static final int LEN = 0;
    public static final int OPCODE = 4;
    public static final int UNIQUE = 8;
    public static final int NODEID = 16;
    public static final int BYTES = 40;

    public static final int FUSE_FORGET = 2;
    public static final int FUSE_UNLINK = 10;
    public static final int FUSE_OPEN = 14;
    public static final int FUSE_RENAME = 12;
    public static final int FUSE_BATCH_FORGET = 42;

    private FuseInHeader() {}
}
