package org.denyfs.kernel.passthrough;

import java.util.concurrent.atomic.LongAdder;

/**
 * READ and WRITE requests the daemon served for backing files: with kernel passthrough a file's
 * data never comes this way, and these counts (in {@code status}) show it. Counting allocates
 * nothing once a thread has its cell.
 */
public final class DataRequests {
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder xattrReads = new LongAdder();

    void read() {
        reads.increment();
    }

    void write() {
        writes.increment();
    }

    /**
     * A GETXATTR: without FUSE_HANDLE_KILLPRIV_V2 the kernel asks one (security.capability) before
     * every write(2), passed through or not; with it, about one per inode until its attributes change.
     */
    public void xattrRead() {
        xattrReads.increment();
    }

    /** The status reply's part: "reads=N writes=N xattr_reads=N". */
    public String figures() {
        return "reads=" + reads.sum() + " writes=" + writes.sum() + " xattr_reads=" + xattrReads.sum();
    }
}
