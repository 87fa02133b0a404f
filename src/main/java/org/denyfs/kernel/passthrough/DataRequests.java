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

    void read() {
        reads.increment();
    }

    void write() {
        writes.increment();
    }

    /** The status reply's part: "reads=N writes=N". */
    public String figures() {
        return "reads=" + reads.sum() + " writes=" + writes.sum();
    }
}
