package org.denyfs.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One inode's {@code i_writecount}: {@code N > 0} writers, {@code -N < 0} deniers, never both.
 * Each method is named after the kernel function it reproduces (include/linux/fs.h) and, like it,
 * never sleeps: a refusal is immediate. Lock-free: one compare-and-swap per successful call.
 *
 * <p>Unlike the kernel, {@link #put()} and {@link #allow()} refuse to cross zero: in denyfs a
 * release without a matching take is a bookkeeping bug, and we want to hear about it at once
 * rather than let the count drift.
 */
public final class WriteCount {
    private final AtomicInteger count = new AtomicInteger();
    /** Tells {@code put}/{@code allow} whether anybody sleeps in {@link #awaitChange}; keeps the fast path free of locks. */
    private volatile int waiters;
    /** Guarded by this: see {@link #poke}. */
    private long pokes;

    /** get_write_access(): +1 unless the file is denied. */
    public void get() {
        int c;
        do {
            c = count.get();
            if (c < 0) {
                throw new ErrnoException(Errno.ETXTBSY, "get_write_access: " + deniers(c));
            }
        } while (!count.compareAndSet(c, c + 1));
    }

    /** put_write_access(): -1. */
    public void put() {
        int after = count.decrementAndGet();
        if (after < 0) {
            count.incrementAndGet();
            throw new IllegalStateException("put_write_access without a writer (count was " + (after + 1) + ")");
        }
        wakeWaiters();
    }

    /** deny_write_access(): -1 unless the file has writers. Deniers stack. */
    public void deny() {
        int c;
        do {
            c = count.get();
            if (c > 0) {
                throw new ErrnoException(Errno.ETXTBSY, "deny_write_access: " + writers(c));
            }
        } while (!count.compareAndSet(c, c - 1));
    }

    /**
     * exclusive_deny_write_access() of commit 9828ed3f69: 0 to -1 or ETXTBSY. Ordinary deniers may
     * stack on an exclusive one afterwards; only writers and other exclusive deniers are kept out.
     */
    public void exclusiveDeny() {
        if (!count.compareAndSet(0, -1)) {
            int c = count.get();
            throw new ErrnoException(Errno.ETXTBSY, "exclusive_deny_write_access: "
                    + (c > 0 ? writers(c) : c < 0 ? deniers(c) : "raced with another caller"));
        }
    }

    /** allow_write_access(): +1, undoing one deny. */
    public void allow() {
        int after = count.incrementAndGet();
        if (after > 0) {
            count.decrementAndGet();
            throw new IllegalStateException("allow_write_access without a denier (count was " + (after - 1) + ")");
        }
        wakeWaiters();
    }

    /** The signed count, as {@code atomic_read(&inode->i_writecount)}. */
    public int value() {
        return count.get();
    }

    /**
     * Waits until the count differs from {@code seen} or the deadline passes; returns the count.
     * Not a kernel operation: used only to let an asynchronous FUSE RELEASE that is known to be in
     * flight land before a refusal is reported (see kernel.passthrough.PendingReleases).
     */
    public int awaitChange(int seen, long deadlineNanos) throws InterruptedException {
        return awaitChange(seen, -1, deadlineNanos);
    }

    /**
     * As {@link #awaitChange(int, long)}, and also returns (with the unchanged count) once
     * {@link #poke} has been called since {@link #generation} said {@code generation} (-1: never).
     */
    public int awaitChange(int seen, long generation, long deadlineNanos) throws InterruptedException {
        synchronized (this) {
            waiters++;
            try {
                int c;
                while ((c = count.get()) == seen && (generation < 0 || pokes == generation)) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return c;
                    }
                    wait(left / 1_000_000, (int) (left % 1_000_000));
                }
                return c;
            } finally {
                waiters--;
            }
        }
    }

    /** How many times {@link #poke} was called: read before deciding to wait, given to awaitChange. */
    public synchronized long generation() {
        return pokes;
    }

    /**
     * Wakes the waiters of {@link #awaitChange(int, long, long)} without changing the count: a
     * holder's state changed in a way they must judge again (kernel.pending.WritableMappings: a
     * RELEASE kept its write access for a mapping). Not a kernel operation.
     */
    public synchronized void poke() {
        pokes++;
        notifyAll();
    }

    private void wakeWaiters() {
        if (waiters > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private static String writers(int c) {
        return c == 1 ? "1 writer" : c + " writers";
    }

    private static String deniers(int c) {
        return -c == 1 ? "1 denier" : -c + " deniers";
    }

    @Override
    public String toString() {
        return Integer.toString(count.get());
    }
}
