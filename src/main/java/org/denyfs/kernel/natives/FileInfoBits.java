package org.denyfs.kernel.natives;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Sets the bitfields of libfuse 2.9's {@code struct fuse_file_info} that jnr-fuse 0.5.8 maps as
 * whole bytes (its own source says the padding is broken). On x86-64 the struct is
 * {@code int flags; unsigned long fh_old; int writepage; unsigned direct_io:1, keep_cache:1,
 * flush:1, nonseekable:1, ...; uint64_t fh; uint64_t lock_owner;}, so the bits live in the
 * 32-bit word at offset 20.
 */
public final class FileInfoBits {
    static final int BITS_OFFSET = 20;
    public static final int DIRECT_IO = 1;
    static final int KEEP_CACHE = 1 << 1;
    public static final int NONSEEKABLE = 1 << 3;

    private FileInfoBits() {}

    public static void set(FuseFileInfo fi, int bits) {
        var memory = Struct.getMemory(fi);
        memory.putInt(BITS_OFFSET, memory.getInt(BITS_OFFSET) | bits);
    }

    static int get(FuseFileInfo fi) {
        return Struct.getMemory(fi).getInt(BITS_OFFSET);
    }
}
