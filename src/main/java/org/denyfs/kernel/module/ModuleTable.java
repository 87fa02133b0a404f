package org.denyfs.kernel.module;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The kernel's {@code modules} list with {@code module_mutex} and {@code module_wq}.
 *
 * <p>{@link #mutex} guards the list and every mutable field of every {@link LoadedModule}. It is
 * held only for short bookkeeping, never while a file is read, decompressed or a module's init
 * runs, and it is released while waiting on {@link #wq} (as wait_event_interruptible() runs without
 * module_mutex). Whoever changes a module's state calls {@link #wakeAll()}.
 *
 * <p>Two ways to wait on module_wq, for one {@link Wait}: {@link #await} sleeps on the caller's
 * thread, as the kernel's caller does; {@link #park} holds no thread at all (a finit_module whose
 * caller polls for the result) and resumes the load on a resumer thread once the wait is over.
 * Either way a load counts as a sleeper.
 */
final class ModuleTable {
    private static final Logger LOG = LogManager.getLogger(ModuleTable.class);
    /** module_mutex. Take before DupFailures' monitor; never hold it while joining an idempotent group. */
    final ReentrantLock mutex = new ReentrantLock();
    /** module_wq: signalled on every state change, and when a sleeper arrives (for observers). */
    private final Condition wq = mutex.newCondition();
    /** Newest first, as list_add_rcu() at the head leaves them. Guarded by mutex. */
    private final LinkedList<LoadedModule> modules = new LinkedList<>();
    /** Loads sleeping in module_wq now, on a thread or parked. Guarded by mutex. */
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

    /**
     * What a load waits for on module_wq: {@code done} (evaluated with mutex held, and never again
     * once it has held), until {@code deadlineNanos} ({@link System#nanoTime()} clock) or, with
     * {@link #NO_DEADLINE}, for as long as it takes.
     */
    record Wait(BooleanSupplier done, long deadlineNanos) {
        static final long NO_DEADLINE = Long.MIN_VALUE;

        boolean timed() {
            return deadlineNanos != NO_DEADLINE;
        }
    }

    /** How a wait ended. */
    enum Outcome {
        /** Its condition held. */
        DONE,
        /** Its deadline passed first. */
        TIMED_OUT,
        /** A signal ended it (a thread interrupt, on the blocking route only). */
        INTERRUPTED
    }

    /** A load parked on module_wq without a thread: its wait, and what runs once the wait is over. */
    private final class Parked {
        final Wait wait;
        final Consumer<Outcome> then;
        ScheduledFuture<?> timer;

        Parked(Wait wait, Consumer<Outcome> then) {
            this.wait = wait;
            this.then = then;
        }

        /** Caller holds mutex, and has just taken this off {@link #parked}. */
        void resume(Outcome outcome) {
            sleepers--;
            if (timer != null) {
                timer.cancel(false);
            }
            executeOrRunHere(resumer(), () -> then.accept(outcome), "module_wq: no resumer thread; resuming a parked load");
        }
    }

    /**
     * At most this many parked loads go on at once once their waits are over; more wait in line.
     * What they run is short (a duplicate's EEXIST, the next symbols, complete_formation()): a
     * load that gets as far as its module's init hands it to a thread of its own
     * ({@link #startInit}).
     */
    static final int RESUMERS = 8;
    /** How long an idle resumer or timer thread stays: the threads exist only around waits. */
    private static final long IDLE_SECONDS = 1;

    /** Loads parked on module_wq, oldest first. Guarded by mutex. */
    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    /** Created with the first parked load. Guarded by mutex. */
    private ThreadPoolExecutor resumer;
    /** Created with the first resumed load that reaches its init. Guarded by mutex. */
    private ThreadPoolExecutor inits;
    /** Created with the first parked load that has a deadline. Guarded by mutex. */
    private ScheduledThreadPoolExecutor timers;

    /**
     * wake_up_all(&module_wq): sleeping threads re-check their conditions, and every parked load
     * whose condition now holds is taken off and resumed on a resumer thread (never here: the
     * caller holds mutex and is itself some other load). Caller holds mutex.
     */
    void wakeAll() {
        wq.signalAll();
        if (parked.isEmpty()) {
            return;
        }
        List<Parked> ready = new ArrayList<>();
        for (Iterator<Parked> it = parked.iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (p.wait.done().getAsBoolean()) {
                it.remove();
                ready.add(p);
            }
        }
        // resumed only once the list is settled: a load resumed on this thread may park again
        for (Parked p : ready) {
            p.resume(Outcome.DONE);
        }
    }

    /**
     * Runs a resumed load's module init on a thread of its own, as the kernel runs each init on
     * its caller's: no init waits for another one, however long they take. The thread goes when
     * the init is over (after {@link #IDLE_SECONDS} idle).
     */
    void startInit(Runnable init) {
        Executor inits;
        mutex.lock();
        try {
            if (this.inits == null) {
                this.inits = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                        new SynchronousQueue<>(), daemonThreads("denyfs-load-init-"));
            }
            inits = this.inits;
        } finally {
            mutex.unlock();
        }
        executeOrRunHere(inits, init, "module init: no thread of its own; running it");
    }

    /**
     * Hands {@code task} to {@code executor}; when no thread is to be had (EAGAIN from clone), runs
     * it on this thread rather than lose the load it carries on.
     */
    private static void executeOrRunHere(Executor executor, Runnable task, String fallback) {
        try {
            executor.execute(task);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.error("{} on this thread ({})", fallback, e.toString());
            task.run();
        }
    }

    /**
     * wait_event_interruptible() / wait_event_interruptible_timeout() on this thread: mutex is
     * taken here and released while sleeping. Thread interruption stands for a signal: INTERRUPTED,
     * interrupt status kept.
     */
    Outcome await(Wait wait) {
        mutex.lock();
        sleepers++;
        wq.signalAll();
        try {
            while (!wait.done().getAsBoolean()) {
                if (!wait.timed()) {
                    wq.await();
                    continue;
                }
                long left = wait.deadlineNanos() - System.nanoTime();
                if (left <= 0) {
                    return Outcome.TIMED_OUT;
                }
                wq.awaitNanos(left);
            }
            return Outcome.DONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.INTERRUPTED;
        } finally {
            sleepers--;
            mutex.unlock();
        }
    }

    /**
     * The same wait without a thread: if {@code wait} is already over, its outcome, at once;
     * otherwise null, and {@code then} runs on a resumer thread with the outcome once the condition
     * holds ({@link #wakeAll}) or the deadline passes (its condition checked one last time then, as
     * the kernel's timed wait does). Takes mutex.
     */
    Outcome park(Wait wait, Consumer<Outcome> then) {
        mutex.lock();
        try {
            if (wait.done().getAsBoolean()) {
                return Outcome.DONE;
            }
            if (wait.timed() && wait.deadlineNanos() - System.nanoTime() <= 0) {
                return Outcome.TIMED_OUT;
            }
            Parked p = new Parked(wait, then);
            if (wait.timed()) {
                // before it is listed, so a failure to schedule leaves nothing parked; it cannot
                // fire before then: expire() takes mutex, held here
                p.timer = timers().schedule(() -> expire(p), wait.deadlineNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            parked.addLast(p);
            sleepers++;
            wq.signalAll();
            return null;
        } finally {
            mutex.unlock();
        }
    }

    /** A parked load's deadline: unless a wake-up took it first, its condition once more, then resumed. */
    private void expire(Parked p) {
        mutex.lock();
        try {
            if (parked.remove(p)) {
                p.resume(p.wait.done().getAsBoolean() ? Outcome.DONE : Outcome.TIMED_OUT);
            }
        } finally {
            mutex.unlock();
        }
    }

    /** Loads parked now. */
    int parkedLoads() {
        mutex.lock();
        try {
            return parked.size();
        } finally {
            mutex.unlock();
        }
    }

    /** Caller holds mutex. */
    private Executor resumer() {
        if (resumer == null) {
            resumer = new ThreadPoolExecutor(RESUMERS, RESUMERS, IDLE_SECONDS, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemonThreads("denyfs-load-resume-"));
            resumer.allowCoreThreadTimeOut(true);
        }
        return resumer;
    }

    /** Caller holds mutex. */
    private ScheduledThreadPoolExecutor timers() {
        if (timers == null) {
            timers = new ScheduledThreadPoolExecutor(1, daemonThreads("denyfs-load-timer-"));
            timers.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
            timers.allowCoreThreadTimeOut(true);
            timers.setRemoveOnCancelPolicy(true);
        }
        return timers;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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
