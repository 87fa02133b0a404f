package org.denyfs.kernel.natives;

import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The word of bitfields that follows {@code bmap} in libfuse 2.9's {@code struct fuse_operations}
 * (fuse.h), which jnr-fuse maps as padding: {@code flag_nullpath_ok:1} (handle requests get a NULL
 * path once the node lost its name), {@code flag_nopath:1}, {@code flag_utime_omit_ok:1} (utimens
 * gets UTIME_NOW and UTIME_OMIT as given), lowest bit first.
 */
public final class OperationsFlags {
    public static final int NULLPATH_OK = 1;
    public static final int NOPATH = 1 << 1;
    public static final int UTIME_OMIT_OK = 1 << 2;

    private OperationsFlags() {}

    /** The word's offset in jnr-fuse's fuse_operations: right after the {@code bmap} pointer. */
    public static long offset(FuseOperations ops) {
        return ops.bmap.offset() + Long.BYTES;
    }
}
