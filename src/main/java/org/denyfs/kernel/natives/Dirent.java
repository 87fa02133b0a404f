package org.denyfs.kernel.natives;

/** glibc's {@code struct dirent} (dirent.h, x86-64): what readdir(3) returns. */
public final class Dirent {
    public static final int D_INO = 0;
    public static final int D_OFF = 8;
    public static final int D_RECLEN = 16;
    public static final int D_TYPE = 18;
    public static final int D_NAME = 19;
    /** d_name's size, its NUL included. */
    public static final int NAME_MAX_BYTES = 256;

    private Dirent() {}
}
