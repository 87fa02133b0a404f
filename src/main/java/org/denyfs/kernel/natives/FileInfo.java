package org.denyfs.kernel.natives;

import com.kenai.jffi.MemoryIO;

/**
 * libfuse 2.9's {@code struct fuse_file_info} (fuse_common.h), read and written in place at its
 * address: the hot requests take it raw (no jnr-fuse Struct per request), and jnr-fuse 0.5.8 maps
 * its bitfields as whole bytes (its own source says that padding is broken).
 * <pre>
 * struct fuse_file_info { int flags; unsigned long fh_old; int writepage;
 *                         unsigned direct_io:1, keep_cache:1, flush:1, nonseekable:1, ...;
 *                         uint64_t fh; uint64_t lock_owner; };
 * </pre>
 * The bitfields share the 32-bit word at {@link #BITS}, lowest bit first.
 */
public final class FileInfo {
    public static final int FLAGS = 0;
    public static final int BITS = 20;
    public static final int FH = 24;
    public static final int BYTES = 40;
    public static final int DIRECT_IO = 1;
    public static final int KEEP_CACHE = 1 << 1;
    public static final int NONSEEKABLE = 1 << 3;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private FileInfo() {}

    /** The open flags ({@code fi->flags}). */
    public static int flags(long fi) {
        return MEMORY.getInt(fi + FLAGS);
    }

    /** The handle ({@code fi->fh}). */
    public static long fh(long fi) {
        return MEMORY.getLong(fi + FH);
    }

    public static void setFh(long fi, long fh) {
        MEMORY.putLong(fi + FH, fh);
    }

    /** Sets bitfields ({@link #DIRECT_IO}, {@link #KEEP_CACHE}, {@link #NONSEEKABLE}) and keeps the others. */
    public static void setBits(long fi, int bits) {
        MEMORY.putInt(fi + BITS, MEMORY.getInt(fi + BITS) | bits);
    }

    public static int bits(long fi) {
        return MEMORY.getInt(fi + BITS);
    }
}
