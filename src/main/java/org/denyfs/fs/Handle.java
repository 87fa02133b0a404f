package org.denyfs.fs;

import jnr.ffi.Pointer;

/** What a FUSE file handle ({@code fi->fh}) stands for: a backing file, or a virtual file. */
interface Handle {
    int read(Pointer buf, long size, long offset);

    int write(Pointer buf, long size, long offset);

    /** Called once, at FUSE RELEASE: undo exactly what the open did. */
    void release();
}
