package org.denyfs.kernel.fuse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The worker policy is the one of libfuse 2.9's {@code fuse_do_work}: a worker that takes a
 * request (not a FORGET) leaves the idle pool; when no idle worker is left, another is started
 * (so a request that blocks, like a refusal waiting for a release in flight, never stalls the
 * mount); a worker that finds more than {@value #MAX_IDLE} idle ones exits.
 *
 * <p>One change to it: past {@link #EAGER_WORKERS} workers, a new one is started only when the
 * busy ones are stuck, not merely busy. Why: with hundreds of clients on two CPUs every worker is
 * busy at some instant, and libfuse's rule then started one thread after another (76 in a
 * 1000-worker herd) that only queued for the CPU. Past the limit, a watcher thread checks every
 * {@value #STUCK_MILLIS} ms and starts one worker if no request finished meanwhile, so a mount
 * whose workers all wait (for a release in flight, a module's init) still never stalls.
 *
 * <p>The thread that calls {@link #run} is the first worker (libfuse's {@code fuse_loop_mt} keeps
 * its calling thread only to wait): an idle mount then costs one thread less. The watcher exists
 * only while the workers are past the limit and for {@value #WATCH_LINGER_MILLIS} ms after, so it
 * is neither an idle mount's thread nor started and stopped at every burst of a herd.
 */
public final class FuseLoop {
    private static final Logger LOG = LogManager.getLogger(FuseLoop.class);
    /** libfuse 2.9 keeps at most 10 idle workers. */
    public static final int MAX_IDLE = 10;
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

    private final Pointer se;
    private final Pointer ch;
    private final ReplyFilter filter;
    /** Where replies go: the filter's channel in front of ch. */
    private final Pointer replyChannel;
    private final long bufSize;
    private final Object lock = new Object();
    /** Guarded by lock: workers waiting for a request, and workers alive. */
    private int idle;
    private int alive;
    /** Guarded by lock: requests finished, so the loop's thread sees whether the busy workers are stuck. */
    private long finished;
    /** Guarded by lock: a watcher thread is alive. */
    private boolean watching;
    /** Counts the workers started: the thread churn of this mount (the status reply shows it). */
    private final DaemonFigures figures;
    private volatile boolean failed;

    private FuseLoop(Pointer se, Pointer ch, long bufSize, DaemonFigures figures, ReplyFilter filter) {
        this.se = se;
        this.ch = ch;
        this.filter = filter;
        this.replyChannel = filter.channel(ch);
        this.bufSize = bufSize;
        this.figures = figures;
    }

    /**
     * Mounts {@code fs} and serves it until it is unmounted, like jnr-fuse's blocking
     * {@code mount(mountPoint, true, debug, args)}: the same arguments reach libfuse.
     *
     * @param figures counts the worker threads this mount starts
     * @param filter rewrites replies on their way to the kernel
     * @return 0 on a clean unmount, non-zero if libfuse could not mount or the loop failed
     */
    public static int run(AbstractFuseFS fs, Path mountPoint, boolean debug, String[] fuseArgs, DaemonFigures figures,
                          ReplyFilter filter) {
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
            return 1;
        }
        Pointer se = LIB.fuse_get_session(fuse);
        Pointer ch = LIB.fuse_session_next_chan(se, null);
        FuseLoop loop = new FuseLoop(se, ch, LIB.fuse_chan_bufsize(ch), figures, filter);
        try {
            loop.serve();
        } finally {
            LIB.fuse_teardown(fuse, mountpointOut.getPointer(0));
        }
        return loop.failed ? 1 : 0;
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

    /**
     * Serves requests on this thread, the first worker, then waits until the other workers have
     * gone too (the mount went away), so the caller's teardown never races a worker.
     */
    private void serve() {
        String name = Thread.currentThread().getName();
        synchronized (lock) {
            idle++;
            alive++;
            figures.fuseWorkers(alive);
            // named like every worker while it is one (tools count the workers by name)
            Thread.currentThread().setName("denyfs-fuse-" + figures.fuseThreadStarted());
        }
        try {
            work();
            synchronized (lock) {
                while (alive > 0) {
                    lock.wait();
                }
            }
        } catch (InterruptedException e) {
            LIB.fuse_session_exit(se);
            Thread.currentThread().interrupt();
        } finally {
            Thread.currentThread().setName(name);
        }
    }

    /**
     * The watcher: while no worker is idle and the workers are past {@link #EAGER_WORKERS}, starts
     * one more whenever {@value #STUCK_MILLIS} ms pass with no request finished; leaves once that
     * has not been the case for {@value #WATCH_LINGER_MILLIS} ms, or the mount is gone.
     */
    private void watch() {
        synchronized (lock) {
            try {
                long calmSince = 0;
                while (alive > 0) {
                    if (idle == 0 && alive >= EAGER_WORKERS) {
                        calmSince = 0;
                        long seen = finished;
                        lock.wait(STUCK_MILLIS);
                        if (idle == 0 && finished == seen && alive > 0) {
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

    /** Called with lock held. */
    private void startWorker() {
        idle++;
        alive++;
        figures.fuseWorkers(alive);
        Thread t = new Thread(this::work, "denyfs-fuse-" + figures.fuseThreadStarted());
        t.setDaemon(true);
        t.start();
    }

    private void work() {
        Pointer fbuf = Memory.allocateDirect(RUNTIME, FuseBuf.BYTES, true);
        Pointer mem = Memory.allocateDirect(RUNTIME, bufSize, false);
        Pointer chp = Memory.allocateDirect(RUNTIME, Long.BYTES, true);
        REQUEST.set(new Pointer[] {fbuf, mem});
        try {
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
                synchronized (lock) {
                    if (!forget) {
                        idle--;
                    }
                    if (idle == 0) {
                        if (alive < EAGER_WORKERS) {
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
                }
                filter.process(se, fbuf, replyChannel);
                synchronized (lock) {
                    finished++;
                    if (!forget) {
                        idle++;
                    }
                    if (idle > MAX_IDLE) {
                        idle--;
                        return;
                    }
                }
            }
            synchronized (lock) {
                idle--;
            }
        } catch (Throwable t) {
            LOG.error("FUSE worker failed", t);
            failed = true;
            LIB.fuse_session_exit(se);
            synchronized (lock) {
                idle--;
            }
        } finally {
            synchronized (lock) {
                alive--;
                figures.fuseWorkers(alive);
                lock.notifyAll();
            }
        }
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
