package org.denyfs.kernel.fuse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.size_t;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.kernel.natives.ReplyFilter;
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
 */
public final class FuseLoop {
    private static final Logger LOG = LogManager.getLogger(FuseLoop.class);
    /** libfuse 2.9 keeps at most 10 idle workers. */
    public static final int MAX_IDLE = 10;
    /** struct fuse_buf (2.9, x86-64): size_t size; enum flags; void *mem; int fd; off_t pos. */
    private static final int BUF_SIZE_OFFSET = 0;
    private static final int BUF_FLAGS_OFFSET = 8;
    private static final int BUF_MEM_OFFSET = 16;
    private static final int BUF_FD_OFFSET = 24;
    private static final int BUF_POS_OFFSET = 32;
    private static final int FUSE_BUF_STRUCT_SIZE = 40;
    private static final int FUSE_BUF_IS_FD = 1 << 1;
    /** struct fuse_in_header: uint32 len; uint32 opcode; ... */
    private static final int OPCODE_OFFSET = 4;
    private static final int FUSE_FORGET = 2;
    private static final int FUSE_BATCH_FORGET = 42;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    /** The part of libfuse2's API that fuse_main_real and fuse_loop_mt are built from. */
    public interface LibFuse2 {
        Pointer fuse_setup(int argc, String[] argv, Pointer op, @size_t long opSize, Pointer mountpoint,
                           Pointer multithreaded, Pointer userData);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer se, Pointer ch);

        @size_t long fuse_chan_bufsize(Pointer ch);

        int fuse_session_receive_buf(Pointer se, Pointer buf, Pointer chp);

        void fuse_session_process_buf(Pointer se, Pointer buf, Pointer ch);

        int fuse_session_exited(Pointer se);

        void fuse_session_exit(Pointer se);

        /** The calling worker's struct fuse_context, as an address (see DenyFs.caller). */
        @jnr.ffi.types.intptr_t long fuse_get_context();
    }

    public static final LibFuse2 LIB = LibraryLoader.create(LibFuse2.class).failImmediately().load("fuse");
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
    /** Workers started so far: the thread churn of this mount (the control file reports it). */
    private final AtomicInteger started;
    private volatile boolean failed;

    private FuseLoop(Pointer se, Pointer ch, long bufSize, AtomicInteger started, ReplyFilter filter) {
        this.se = se;
        this.ch = ch;
        this.filter = filter;
        this.replyChannel = filter.channel(ch);
        this.bufSize = bufSize;
        this.started = started;
    }

    /**
     * Mounts {@code fs} and serves it until it is unmounted, like jnr-fuse's blocking
     * {@code mount(mountPoint, true, debug, args)}: the same arguments reach libfuse.
     *
     * @param started counts the worker threads this mount starts
     * @param filter rewrites replies on their way to the kernel
     * @return 0 on a clean unmount, non-zero if libfuse could not mount or the loop failed
     */
    public static int run(AbstractFuseFS fs, Path mountPoint, boolean debug, String[] fuseArgs, AtomicInteger started,
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
        FuseLoop loop = new FuseLoop(se, ch, LIB.fuse_chan_bufsize(ch), started, filter);
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

    /** Starts the first worker and waits until the last one has gone (the mount went away). */
    private void serve() {
        synchronized (lock) {
            startWorker();
            while (alive > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    LIB.fuse_session_exit(se);
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Called with lock held. */
    private void startWorker() {
        idle++;
        alive++;
        Thread t = new Thread(this::work, "denyfs-fuse-" + started.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    private void work() {
        Pointer fbuf = Memory.allocateDirect(RUNTIME, FUSE_BUF_STRUCT_SIZE, true);
        Pointer mem = Memory.allocateDirect(RUNTIME, bufSize, false);
        Pointer chp = Memory.allocateDirect(RUNTIME, Long.BYTES, true);
        try {
            while (LIB.fuse_session_exited(se) == 0) {
                fbuf.putLong(BUF_SIZE_OFFSET, bufSize);
                fbuf.putInt(BUF_FLAGS_OFFSET, 0);
                fbuf.putPointer(BUF_MEM_OFFSET, mem);
                fbuf.putInt(BUF_FD_OFFSET, -1);
                fbuf.putLong(BUF_POS_OFFSET, 0);
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
                boolean forget = (fbuf.getInt(BUF_FLAGS_OFFSET) & FUSE_BUF_IS_FD) == 0 && isForget(mem.getInt(OPCODE_OFFSET));
                synchronized (lock) {
                    if (!forget) {
                        idle--;
                    }
                    if (idle == 0) {
                        startWorker();
                    }
                }
                filter.process(se, fbuf, replyChannel);
                synchronized (lock) {
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
                lock.notifyAll();
            }
        }
    }

    private static boolean isForget(int opcode) {
        return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET;
    }
}
