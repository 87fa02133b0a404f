package org.denyfs.kernel.natives;

/** The kernel's {@code struct open_how} (linux/openat2.h): openat2(2)'s argument. */
public final class OpenHow {
    public static final int FLAGS = 0;
    public static final int MODE = 8;
    public static final int RESOLVE = 16;
    public static final int BYTES = 24;

    private OpenHow() {}
}
