package org.denyfs.kernel.passthrough;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long after the last FLUSH of a handle its RELEASE reached the daemon: the window in which
 * close(2) has returned but what the handle held is still counted. Measured on the handles that
 * get a FLUSH: control file handles, and backing files on kernels older than 5.16 (newer ones
 * honour FOPEN_NOFLUSH, see ReplyFilter).
 */
public final class ReleaseLag {
    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();

    /** At a RELEASE, before the handle lets go: measured from its newest FLUSH, if it had one. */
    public void released(Handle h) {
        long flushed = h.lastFlushNanos();
        if (flushed != 0) {
            record(System.nanoTime() - flushed);
        }
    }

    void record(long nanos) {
        count.increment();
        totalNanos.add(nanos);
        maxNanos.accumulateAndGet(nanos, Math::max);
    }

    public long count() {
        return count.sum();
    }

    public long meanMicros() {
        long n = count.sum();
        return n == 0 ? 0 : totalNanos.sum() / n / 1000;
    }

    public long maxMicros() {
        return maxNanos.get() / 1000;
    }
}
