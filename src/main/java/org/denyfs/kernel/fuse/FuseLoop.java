package org.denyfs.kernel.fuse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.size_t;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.kernel.control.DaemonFigures;
import org.denyfs.kernel.natives.FuseBuf;
import org.denyfs.kernel.natives.FuseInHeader;
import org.denyfs.kernel.natives.LibFuse;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.natives.VerityArgs;
import ru.serce.jnrfuse.AbstractFuseFS;

/**
 * libfuse2's multithreaded loop ({@code fuse_loop_mt}), run on Java threads instead of libfuse's
 * own pthreads.
 *
 * <p>Why: jnr-fuse hands the loop to {@code fuse_main_real}, whose workers are native threads. jffi
 * attaches such a thread to the JVM at every callback and detaches it again on return, so every
 * FUSE request paid a thread attach and detach: a new java.lang.Thread, a fresh TLAB, JFR and GC
 * bookkeeping (measured: 8887 jdk.ThreadStart events for ~5000 requests, and a young GC every
 * ~100 ms during sequential I/O). A thread that is already a Java thread is never attached or
 * detached by jffi, so here each worker is a Java thread for its whole life.
 *
 * <p>The worker policy starts from libfuse 2.9's {@code fuse_do_work}: a worker that takes a
 * request (not a FORGET) stops reading; when no reader is left, another worker reads (so a request
 * that blocks, like a refusal waiting for a release in flight, never stalls the mount); at most
 * {@value #MAX_IDLE} workers are idle.
 *
 * <p>Change one: only {@value #READERS} idle workers read {@code /dev/fuse}. A worker that finishes
 * a request while that many are reading parks here instead; when the readers run out, the last one
 * parked is handed the turn, and one that has had no turn for {@value #PARK_MILLIS} ms leaves. Why: a
 * worker blocked in the kernel's read cannot time out, so under libfuse's rule every worker a burst
 * started stayed for the mount's life (an idle mount kept four or five after its first requests, ten
 * after any parallel work); parked here, the extra ones leave once the burst is over, and an idle
 * mount keeps its readers. Four, measured: a sequential client's next request comes while the
 * worker that answered the last one is not yet back and another serves its asynchronous RELEASE,
 * and each request that finds no reader pays a hand-over (a parked thread woken). With two readers
 * creat, open+close and unlink took 1.25x to 2.06x the time of libfuse's rule in two interleaved
 * runs; with three 0.79x to 1.86x; with four 0.85x to 1.13x, libfuse's within the noise.
 *
 * <p>Change two: past {@link #EAGER_WORKERS} workers, a new one is started only when the busy ones
 * are stuck, not merely busy. Why: with hundreds of clients on two CPUs every worker is busy at
 * some instant, and libfuse's rule then started one thread after another (76 in a 1000-worker
 * herd) that only queued for the CPU. Past the limit, a watcher thread checks every
 * {@value #STUCK_MILLIS} ms and starts one worker if no request finished meanwhile, so a mount
 * whose workers all wait (for a release in flight, a module's init) still never stalls.
 *
 * <p>No thread waits for the unmount: the thread that calls {@link #serve} is the first worker and
 * may leave like any other, and the last worker to go tears the session down (libfuse's
 * {@code fuse_loop_mt} keeps its calling thread only to wait). The watcher exists
 * only while the workers are past the limit and for {@value #WATCH_LINGER_MILLIS} ms after, so it
 * is neither an idle mount's thread nor started and stopped at every burst of a herd.
 */
public final class FuseLoop {
    private static final Logger LOG = LogManager.getLogger(FuseLoop.class);
    /** libfuse 2.9 keeps at most 10 idle workers. */
    public static final int MAX_IDLE = 10;
    /** Idle workers that read /dev/fuse; any more park in the loop (see readAgain). */
    public static final int READERS = 4;
    /** How long a parked worker waits for a turn to read before it leaves. */
    public static final int PARK_MILLIS = 1000;
    /** Workers started at once when none is idle; past this, only when the busy ones are stuck. */
    public static final int EAGER_WORKERS = Math.max(16, 4 * java.lang.Runtime.getRuntime().availableProcessors());
    /** How long no request may finish, with none idle, before another worker is started past the limit. */
    static final int STUCK_MILLIS = 20;
    /** How long the watcher stays once the workers are back under the limit or one is idle. */
    static final int WATCH_LINGER_MILLIS = 1000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private static final LibFuse LIB = LibFuse.INSTANCE;
    /** Each worker's fuse_buf and request buffer, set once per worker: the raw request a callback serves. */
    private static final ThreadLocal<Pointer[]> REQUEST = new ThreadLocal<>();
    private static final Runtime RUNTIME = Runtime.getRuntime(LIB);

    /** libfuse's struct fuse and the mount point string fuse_setup returned: fuse_teardown's arguments. */
    private final Pointer fuse;
    private final Pointer mountpoint;
    /** Completed by the last worker once the session has ended and libfuse has torn it down. */
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final Pointer se;
    private final Pointer ch;
    private final ReplyFilter filter;
    /** Where replies go: the filter's channel in front of ch. */
    private final Pointer replyChannel;
    private final long bufSize;
    private final Object lock = new Object();
    /** Guarded by lock: workers reading /dev/fuse (or on their way to it), and workers alive. */
    private int readers;
    private int alive;
    /**
     * Guarded by lock: idle workers parked past READERS, the last parked on top. A turn goes to the
     * top one, so under steady load the same few take the turns and the ones beneath really idle and
     * leave (handed round at random, every parked worker would get a turn now and then and none
     * would leave).
     */
    private final java.util.ArrayDeque<Parked> parked = new java.util.ArrayDeque<>();
    /** Guarded by lock: the session has ended, or a worker's failure ended it; parked workers leave at once. */
    private boolean ended;
    /** Guarded by lock: requests finished, so the loop's thread sees whether the busy workers are stuck. */
    private long finished;
    /** Guarded by lock: a watcher thread is alive. */
    private boolean watching;
    /** Counts the workers started: the thread churn of this mount (the status reply shows it). */
    private final DaemonFigures figures;
    private volatile boolean failed;

    private FuseLoop(Pointer fuse, Pointer mountpoint, Pointer se, Pointer ch, long bufSize, DaemonFigures figures,
                     ReplyFilter filter) {
        this.fuse = fuse;
        this.mountpoint = mountpoint;
        this.se = se;
        this.ch = ch;
        this.filter = filter;
        this.replyChannel = filter.channel(ch);
        this.bufSize = bufSize;
        this.figures = figures;
    }

    /**
     * Mounts {@code fs} and serves it, with the same arguments reaching libfuse as through jnr-fuse's
     * {@code mount(mountPoint, true, debug, args)}. The calling thread is the first worker: this
     * returns when it leaves the pool, which may be long before the unmount (a worker that is
     * not needed leaves), or at it. Whichever worker is the last to go once the mount has ended
     * tears libfuse's session down and then completes the future, so no thread waits for the
     * unmount here.
     *
     * @param figures counts the worker threads this mount starts
     * @param filter rewrites replies on their way to the kernel
     * @return completed with 0 after a clean unmount, non-zero if libfuse could not mount or the loop
     *         failed; exceptionally if fuse_teardown threw
     */
    public static CompletableFuture<Integer> serve(AbstractFuseFS fs, Path mountPoint, boolean debug, String[] fuseArgs,
                                                   DaemonFigures figures, ReplyFilter filter) {
        List<String> argv = new ArrayList<>(List.of("denyfs", "-f"));
        if (debug) {
            argv.add("-d");
        }
        argv.addAll(List.of(fuseArgs));
        argv.add(mountPoint.toAbsolutePath().toString());
        Struct ops = operations(fs);
        Pointer mountpointOut = Memory.allocateDirect(RUNTIME, Long.BYTES, true);
        Pointer multithreaded = Memory.allocateDirect(RUNTIME, Integer.BYTES, true);
        Pointer fuse = LIB.fuse_setup(argv.size(), argv.toArray(String[]::new), Struct.getMemory(ops),
                Struct.size(ops), mountpointOut, multithreaded, null);
        if (fuse == null) {
            return CompletableFuture.completedFuture(1);
        }
        Pointer se = LIB.fuse_get_session(fuse);
        Pointer ch = LIB.fuse_session_next_chan(se, null);
        FuseLoop loop = new FuseLoop(fuse, mountpointOut.getPointer(0), se, ch, LIB.fuse_chan_bufsize(ch), figures, filter);
        loop.join();
        return loop.done;
    }

    /** jnr-fuse's fuse_operations, filled in by its constructor from the methods we override. */
    private static Struct operations(AbstractFuseFS fs) {
        try {
            var field = AbstractFuseFS.class.getDeclaredField("fuseOperations");
            field.setAccessible(true);
            return (Struct) field.get(fs);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jnr-fuse changed: no fuseOperations", e);
        }
    }

    /** The calling thread serves as a worker, named like the others while it is one (tools count them by name). */
    private void join() {
        String name = Thread.currentThread().getName();
        synchronized (lock) {
            readers++;
            alive++;
            figures.fuseWorkers(alive);
            Thread.currentThread().setName("denyfs-fuse-" + figures.fuseThreadStarted());
        }
        try {
            work();
        } finally {
            Thread.currentThread().setName(name);
        }
    }

    /**
     * The watcher: while no worker reads /dev/fuse and the workers are past {@link #EAGER_WORKERS}, starts
     * one more whenever {@value #STUCK_MILLIS} ms pass with no request finished; leaves once that
     * has not been the case for {@value #WATCH_LINGER_MILLIS} ms, or the mount is gone.
     */
    private void watch() {
        synchronized (lock) {
            try {
                long calmSince = 0;
                while (alive > 0 && !ended) {
                    if (readers == 0 && alive >= EAGER_WORKERS) {
                        calmSince = 0;
                        long seen = finished;
                        lock.wait(STUCK_MILLIS);
                        if (readers == 0 && finished == seen && alive > 0 && !ended) {
                            startWorker(); // every worker waits for something: one more serves the mount
                        }
                    } else {
                        long now = System.nanoTime();
                        if (calmSince == 0) {
                            calmSince = now;
                        }
                        long left = WATCH_LINGER_MILLIS - (now - calmSince) / 1_000_000;
                        if (left <= 0) {
                            return;
                        }
                        lock.wait(left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                watching = false;
            }
        }
    }

    /**
     * Called with lock held. A thread that cannot be started (a pids limit, no memory) is logged
     * and not counted: the watcher, or the next request a busy worker reads, tries again.
     */
    private void startWorker() {
        readers++;
        alive++;
        figures.fuseWorkers(alive);
        Thread t = new Thread(this::work, "denyfs-fuse-" + figures.fuseThreadStarted());
        t.setDaemon(true);
        try {
            t.start();
        } catch (Throwable e) {
            readers--;
            alive--;
            figures.fuseWorkers(alive);
            LOG.warn("could not start a FUSE worker ({} alive): {}", alive, e.toString());
        }
    }

    private void work() {
        boolean reading = true; // counted in readers by whoever made this thread a worker
        boolean leaving = false; // left the pool while the session goes on
        try {
            Pointer fbuf = Memory.allocateDirect(RUNTIME, FuseBuf.BYTES, true);
            Pointer mem = Memory.allocateDirect(RUNTIME, bufSize, false);
            Pointer chp = Memory.allocateDirect(RUNTIME, Long.BYTES, true);
            REQUEST.set(new Pointer[] {fbuf, mem});
            while (LIB.fuse_session_exited(se) == 0) {
                fbuf.putLong(FuseBuf.SIZE, bufSize);
                fbuf.putInt(FuseBuf.FLAGS, 0);
                fbuf.putPointer(FuseBuf.MEM, mem);
                fbuf.putInt(FuseBuf.FD, -1);
                fbuf.putLong(FuseBuf.POS, 0);
                chp.putPointer(0, ch);
                int res = LIB.fuse_session_receive_buf(se, fbuf, chp);
                if (res == -EINTR || res == -EAGAIN) {
                    continue;
                }
                if (res <= 0) {
                    if (res < 0) {
                        org.denyfs.core.Errno e = org.denyfs.core.Errno.of(-res);
                        LOG.error("reading /dev/fuse failed: {}", e == null ? "errno " + -res : e.name() + " (" + e.message() + ")");
                        failed = true;
                        LIB.fuse_session_exit(se);
                    }
                    break;
                }
                boolean forget = (fbuf.getInt(FuseBuf.FLAGS) & FuseBuf.IS_FD) == 0 && isForget(mem.getInt(FuseInHeader.OPCODE));
                if (!forget) { // a FORGET never blocks: its worker stays a reader
                    synchronized (lock) {
                        reading = false;
                        if (--readers == 0) {
                            nextReader();
                        }
                    }
                }
                filter.process(se, fbuf, replyChannel);
                synchronized (lock) {
                    finished++;
                    if (!forget) {
                        if (!readAgain()) {
                            leaving = true;
                            return;
                        }
                        reading = true;
                    }
                }
            }
        } catch (Throwable t) {
            LOG.error("FUSE worker failed", t);
            failed = true;
            LIB.fuse_session_exit(se);
        } finally {
            boolean last;
            synchronized (lock) {
                if (reading) {
                    readers--;
                }
                if (!leaving) {
                    ended = true; // the session is over (or this worker's failure ended it): parked workers leave
                }
                alive--;
                figures.fuseWorkers(alive);
                // 0 only once the session has ended: a worker leaves a live session only while
                // another is counted as a reader, and one is started whenever none is
                last = alive == 0;
                lock.notifyAll();
            }
            if (last) {
                tearDown();
            }
        }
    }

    /** libfuse's fuse_teardown (unmount if still mounted, destroy), then the mount's future. */
    private void tearDown() {
        try {
            LIB.fuse_teardown(fuse, mountpoint);
            done.complete(failed ? 1 : 0);
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
    }

    /**
     * No worker reads /dev/fuse any more (called with lock held): the last parked one is handed the
     * turn, or another is started, or, past {@link #EAGER_WORKERS}, the watcher decides.
     */
    private void nextReader() {
        if (ended) {
            return; // no more requests: the workers still busy finish and leave
        }
        Parked top = parked.pollFirst();
        if (top != null) {
            top.turn = true;
            readers++; // counted now, so a second request in the meantime hands the next turn on
            lock.notifyAll();
        } else if (alive < EAGER_WORKERS) {
            startWorker();
        } else if (!watching) {
            watching = true; // from here on, one watches whether the busy ones are stuck
            Thread t = new Thread(this::watch, "denyfs-fuse-watch");
            t.setDaemon(true);
            t.start();
        } else {
            lock.notifyAll();
        }
    }

    /**
     * After a request (called with lock held): whether this worker reads the next one. It does at
     * once while fewer than {@link #READERS} do. Otherwise it parks until it is handed a turn, and leaves if none
     * comes within {@link #PARK_MILLIS}, if {@link #MAX_IDLE} are idle already, or once the
     * session has ended.
     */
    private boolean readAgain() {
        if (ended) {
            return false;
        }
        if (readers < READERS) {
            readers++;
            return true;
        }
        if (readers + parked.size() >= MAX_IDLE) {
            return false;
        }
        Parked me = new Parked();
        parked.addFirst(me);
        try {
            long deadline = System.nanoTime() + PARK_MILLIS * 1_000_000L;
            while (!me.turn && !ended) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                lock.wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // no wait now; a turn already handed over is still taken
        }
        if (me.turn) {
            if (ended) {
                readers--; // the hand-over counted it a reader; it leaves instead
                return false;
            }
            return true; // counted as a reader by the hand-over
        }
        parked.remove(me);
        return false;
    }

    /** A parked worker's place in the stack; turn is set (with lock held) when it is to read again. */
    private static final class Parked {
        boolean turn;
    }

    /**
     * The in and out byte counts of the FUSE_IOCTL request this worker is serving ({@code struct
     * fuse_ioctl_in}), which jnr-fuse's ioctl callback does not pass on: {@code in << 32 | out}, or -1
     * when the request in this worker's buffer is not that ioctl (a spliced request, another thread).
     */
    static long ioctlSizes(int cmd, long fh) {
        Pointer[] request = REQUEST.get();
        if (request == null || (request[0].getInt(FuseBuf.FLAGS) & FuseBuf.IS_FD) != 0) {
            return -1;
        }
        Pointer mem = request[1];
        long in = FuseInHeader.BYTES;
        if (mem.getInt(FuseInHeader.OPCODE) != VerityArgs.FUSE_IOCTL || mem.getInt(in + VerityArgs.IOCTL_IN_CMD) != cmd
                || mem.getLong(in + VerityArgs.IOCTL_IN_FH) != fh) {
            return -1;
        }
        return Integer.toUnsignedLong(mem.getInt(in + VerityArgs.IOCTL_IN_IN_SIZE)) << 32
                | Integer.toUnsignedLong(mem.getInt(in + VerityArgs.IOCTL_IN_OUT_SIZE));
    }

    private static boolean isForget(int opcode) {
        return opcode == FuseInHeader.FUSE_FORGET || opcode == FuseInHeader.FUSE_BATCH_FORGET;
    }
}
