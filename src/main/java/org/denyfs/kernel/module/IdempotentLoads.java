package org.denyfs.kernel.module;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;

/**
 * The v6.5 idempotent finit_module() (kernel/module/main.c: idempotent(), idempotent_complete(),
 * idempotent_wait_for_completion()). Every caller adds an entry keyed on the inode; the first one
 * for a key loads, and when it is done it completes and removes every entry of that key, handing
 * each its result. A waiter interrupted before that leaves (EINTR), as since v6.11.
 *
 * <p>A waiter's result is a future, not a parked thread: {@link #result} hands it on to a caller
 * that waits without a thread (a control-file client in poll(2)), {@link #awaitResult} blocks on it.
 *
 * <p>The kernel hashes into 256 buckets under one spinlock; one map under one monitor ({@link #lock},
 * idem_lock) is the same thing here. A leaf lock: nothing else is taken while holding it. Nothing
 * stays in the map once a load is over.
 */
final class IdempotentLoads {
    /** One caller's struct idempotent. */
    static final class Entry {
        final InodeKey cookie;
        final boolean first;
        /** Completes, with the shared result (null for success), when the first caller's load is over. */
        private final CompletableFuture<ErrnoException> complete = new CompletableFuture<>();

        Entry(InodeKey cookie, boolean first) {
            this.cookie = cookie;
            this.first = first;
        }
    }

    private final Object lock = new Object();
    /** Guarded by lock; entries in arrival order. */
    private final Map<InodeKey, List<Entry>> table = new HashMap<>();

    /** idempotent(): joins the group of {@code key}; {@code first} says whether this caller loads. */
    Entry join(InodeKey key) {
        synchronized (lock) {
            List<Entry> group = table.computeIfAbsent(key, k -> new ArrayList<>());
            Entry e = new Entry(key, group.isEmpty());
            group.add(e);
            lock.notifyAll();
            return e;
        }
    }

    /** idempotent_complete(): hands {@code ret} (null: success) to every entry of the key and removes them. */
    void complete(Entry first, ErrnoException ret) {
        List<Entry> group;
        synchronized (lock) {
            group = table.remove(first.cookie);
            if (group == null) {
                return;
            }
            lock.notifyAll();
        }
        // outside idem_lock: completing runs the waiters' continuations (a reply, a poll wake-up)
        for (Entry e : group) {
            e.complete.complete(ret);
        }
    }

    /** A waiter's result as a future: done when the first caller's load is over, failed with its errno. */
    CompletableFuture<Void> result(Entry e) {
        return e.complete.thenApply(r -> {
            if (r != null) {
                throw waiterFailure(r);
            }
            return null;
        });
    }

    private static ErrnoException waiterFailure(ErrnoException r) {
        return new ErrnoException(r.errno(), "finit_module: result of the concurrent load of the same file: " + r.getMessage());
    }

    /**
     * idempotent_wait_for_completion(): the first caller's result, rethrown as this caller's own
     * failure, or EINTR if the thread is interrupted before it arrives.
     */
    void awaitResult(Entry e) {
        ErrnoException r;
        try {
            r = e.complete.get();
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible); // completed only with complete(ret)
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            synchronized (lock) {
                List<Entry> group = table.get(e.cookie);
                if (group != null && group.remove(e)) {
                    lock.notifyAll();
                    throw new ErrnoException(Errno.EINTR, "finit_module: interrupted while another caller loads the same file");
                }
            }
            // completed while we were being interrupted: the result is there, take it
            r = e.complete.join();
        }
        if (r != null) {
            throw waiterFailure(r);
        }
    }

    /** How many callers are in the group of {@code key} now (loader included). */
    int members(InodeKey key) {
        synchronized (lock) {
            List<Entry> group = table.get(key);
            return group == null ? 0 : group.size();
        }
    }

    /** Groups in the table now; 0 whenever no finit_module() is running. */
    int groups() {
        synchronized (lock) {
            return table.size();
        }
    }

    /** For tests: waits until the group of {@code key} has at least {@code n} members. */
    boolean awaitMembers(InodeKey key, int n, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (members(key) < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }
}
