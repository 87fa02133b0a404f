package org.denyfs.kernel.module;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The kernel's {@code modules} list with {@code module_mutex} and {@code module_wq}.
 *
 * <p>{@link #mutex} guards the list and every mutable field of every {@link LoadedModule}. It is
 * held only for short bookkeeping, never while a file is read, decompressed or a module's init
 * runs, and it is released while waiting on {@link #wq} (as wait_event_interruptible() runs without
 * module_mutex). Whoever changes a module's state calls {@link #wakeAll()}.
 */
final class ModuleTable {
    /** module_mutex. Take before DupFailures' monitor; never hold it while joining an idempotent group. */
    final ReentrantLock mutex = new ReentrantLock();
    /** module_wq: signalled on every state change, and when a sleeper arrives (for observers). */
    private final Condition wq = mutex.newCondition();
    /** Newest first, as list_add_rcu() at the head leaves them. Guarded by mutex. */
    private final LinkedList<LoadedModule> modules = new LinkedList<>();
    /** Threads sleeping in module_wq now. Guarded by mutex. */
    private int sleepers;

    /** find_module_all(): UNFORMED modules count only when asked for. Caller holds mutex. */
    LoadedModule find(String name, boolean evenUnformed) {
        for (LoadedModule m : modules) {
            if (m.name.equals(name) && (evenUnformed || m.state != ModuleState.UNFORMED)) {
                return m;
            }
        }
        return null;
    }

    /** Caller holds mutex. */
    void addFirst(LoadedModule m) {
        modules.addFirst(m);
    }

    /** Caller holds mutex. */
    void remove(LoadedModule m) {
        modules.remove(m);
    }

    /** A snapshot, newest first. Caller holds mutex. */
    List<LoadedModule> list() {
        return new ArrayList<>(modules);
    }

    /** wake_up_all(&module_wq). Caller holds mutex. */
    void wakeAll() {
        wq.signalAll();
    }

    /**
     * wait_event_interruptible(module_wq, done): caller holds mutex, which is released while
     * sleeping. Thread interruption stands for a signal: EINTR, interrupt status kept.
     */
    void await(BooleanSupplier done) {
        sleepers++;
        wq.signalAll();
        try {
            while (!done.getAsBoolean()) {
                wq.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR, "interrupted while waiting for a module to finish loading");
        } finally {
            sleepers--;
        }
    }

    /**
     * wait_event_interruptible_timeout(): true if {@code done} held before the deadline; false on
     * timeout or interruption (interrupt status kept). Caller holds mutex.
     */
    boolean awaitUntil(BooleanSupplier done, long deadlineNanos) {
        sleepers++;
        wq.signalAll();
        try {
            while (!done.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wq.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            sleepers--;
        }
    }

    /** For tests and diagnostics: waits until at least {@code n} threads sleep in module_wq. */
    boolean awaitSleepers(int n, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        mutex.lock();
        try {
            while (sleepers < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wq.awaitNanos(left);
            }
            return true;
        } finally {
            mutex.unlock();
        }
    }
}
