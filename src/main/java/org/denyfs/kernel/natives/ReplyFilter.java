package org.denyfs.kernel.natives;

import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.abi.NativeDir;

/**
 * The daemon's side of libdenyfs-fuse.so (src/main/c/fuse/denyfs_fuse.c), which rewrites replies
 * on their way to /dev/fuse so that libfuse2 can do what only its low-level API could: keep
 * attributes cached except where hard links or the virtual tree make the kernel's cache wrong, spare backing
 * files the FLUSH round trip at every close (FOPEN_NOFLUSH), and hand a backing file's reads, writes and
 * mappings to the kernel itself (FUSE passthrough, Linux 6.9+: {@link #requestPassthrough},
 * {@link #backingOpen}, {@link #passthrough}).
 *
 * <p>Without the library (a jar run without its build tree) requests go straight to libfuse and
 * the mount falls back to attr_timeout=0: slower opens, the same answers.
 */
public final class ReplyFilter {
    private static final Logger LOG = LogManager.getLogger(ReplyFilter.class);
    static final String LIBRARY = "libdenyfs-fuse.so";

    /** libdenyfs-fuse.so's exports. */
    public interface Lib {
        Pointer denyfs_fuse_filter(Pointer kernelChannel, int stackDepth, Pointer daemonFgetattr);

        Pointer denyfs_fuse_fgetattr_entry();

        int denyfs_fuse_passthrough_state(Pointer filteredChannel, int timeoutMillis);

        int denyfs_fuse_backing_open(Pointer filteredChannel, int fd);

        int denyfs_fuse_backing_close(Pointer filteredChannel, int id);

        void denyfs_fuse_passthrough(int backingId);

        void denyfs_fuse_process(Pointer se, Pointer buf, Pointer filteredChannel);

        void denyfs_fuse_no_flush();

        void denyfs_fuse_uncached();

        void denyfs_fuse_counters(@Out long[] out);

        int denyfs_fuse_opcode();

        String denyfs_fuse_rename_to();

        int denyfs_fuse_kill_suidgid();

        long denyfs_fuse_nodeid();

        int denyfs_fuse_killpriv_v2(Pointer filteredChannel);
    }


    /** {@link #passthroughState}: opens may pass through. */
    public static final int PASSTHROUGH_ON = 1;
    /** {@link #passthroughState}: the daemon did not ask (or there is no filter). */
    public static final int PASSTHROUGH_NOT_ASKED = 2;
    /** {@link #passthroughState}: the kernel's INIT did not offer FUSE_PASSTHROUGH. */
    public static final int PASSTHROUGH_NOT_OFFERED = 3;
    /** {@link #passthroughState}: INIT's reply has not gone out yet. */
    public static final int PASSTHROUGH_PENDING = 0;

    private final Lib lib;
    /** max_stack_depth to ask the kernel for at INIT; 0: no passthrough. Set before the loop starts. */
    private volatile int stackDepth;
    /** INIT's answer on KILLPRIV_V2, once asked while serving a request (it cannot change after INIT). */
    private volatile Boolean killprivV2;
    /** The filter's channel, once the FUSE loop has made it. */
    private volatile Pointer filtered;
    /** The daemon's fgetattr closure, which the filter's fgetattr entry hands every check it does not answer. */
    private volatile Pointer daemonFgetattr;

    private ReplyFilter(Lib lib) {
        this.lib = lib;
    }

    /** The filter from {@link NativeDir}, or a pass-through one if the library is not there. */
    public static ReplyFilter load() {
        return load(NativeDir.locate().resolve(LIBRARY));
    }

    public static ReplyFilter load(Path library) {
        if (!Files.isRegularFile(library)) {
            LOG.warn("{} not found: attributes are not cached (attr_timeout=0) and every close sends FLUSH", library);
            return new ReplyFilter(null);
        }
        return new ReplyFilter(LibraryLoader.create(Lib.class).failImmediately().load(library.toString()));
    }

    public static ReplyFilter passThrough() {
        return new ReplyFilter(null);
    }

    /** True when attributes may be cached: hard-linked files are kept exact by the filter. */
    public boolean active() {
        return lib != null;
    }

    /** The channel to hand {@link #process} for requests read from {@code kernelChannel}. */
    public Pointer channel(Pointer kernelChannel) {
        if (lib == null) {
            return kernelChannel;
        }
        Pointer fgetattr = daemonFgetattr;
        if (fgetattr == null) {
            // the filter's fgetattr entry would answer every CREATE and fstat with EIO
            throw new IllegalStateException("the reply filter's channel was asked for before fgetattrEntry()");
        }
        Pointer ch = lib.denyfs_fuse_filter(kernelChannel, stackDepth, fgetattr);
        if (ch == null) {
            throw new OutOfMemoryError("libdenyfs-fuse.so: no memory for the reply filter's channel");
        }
        filtered = ch;
        return ch;
    }

    /**
     * What to put in {@code fuse_operations.fgetattr} for the daemon's own {@code daemon}: the
     * filter's entry, which answers libfuse's auto_cache check at the OPEN of a file that passes
     * through itself (its answer only decides FOPEN_KEEP_CACHE, which passthrough drops) and hands
     * everything else to {@code daemon}; without the filter, {@code daemon}. Call before the
     * operations go to fuse_new, and before {@link #channel}.
     */
    public Pointer fgetattrEntry(Pointer daemon) {
        if (lib == null) {
            return daemon;
        }
        daemonFgetattr = daemon;
        return lib.denyfs_fuse_fgetattr_entry();
    }

    /**
     * Asks the kernel for passthrough in the INIT reply, with {@code maxStackDepth} (1 over a plain
     * file system, 2 over overlayfs). Call before the FUSE loop starts; without the filter, nothing.
     */
    public void requestPassthrough(int maxStackDepth) {
        this.stackDepth = maxStackDepth;
    }

    /**
     * What INIT decided: {@link #PASSTHROUGH_ON}, {@link #PASSTHROUGH_NOT_ASKED},
     * {@link #PASSTHROUGH_NOT_OFFERED}, a negative errno (the kernel refused the probe's backing id),
     * or {@link #PASSTHROUGH_PENDING} if INIT's reply did not go out within {@code timeoutMillis}.
     */
    public int passthroughState(int timeoutMillis) {
        Pointer ch = filtered;
        if (lib == null || stackDepth == 0) {
            return PASSTHROUGH_NOT_ASKED;
        }
        return ch == null ? PASSTHROUGH_PENDING : lib.denyfs_fuse_passthrough_state(ch, timeoutMillis);
    }

    /** FUSE_DEV_IOC_BACKING_OPEN on the open backing file {@code fd}: an id (> 0) or -errno. */
    public int backingOpen(int fd) {
        return lib.denyfs_fuse_backing_open(filtered, fd);
    }

    /** FUSE_DEV_IOC_BACKING_CLOSE: 0 or -errno. */
    public int backingClose(int id) {
        return lib.denyfs_fuse_backing_close(filtered, id);
    }

    /** The OPEN or CREATE being answered on this thread passes its I/O through to backing id {@code id}. */
    public void passthrough(int id) {
        lib.denyfs_fuse_passthrough(id);
    }

    public void process(Pointer se, Pointer buf, Pointer channel) {
        if (lib == null) {
            LibFuse.INSTANCE.fuse_session_process_buf(se, buf, channel);
        } else {
            lib.denyfs_fuse_process(se, buf, channel);
        }
    }

    /** The OPEN or CREATE being answered on this thread needs no FLUSH at close. */
    public void noFlush() {
        if (lib != null) {
            lib.denyfs_fuse_no_flush();
        }
    }

    /** The name and attributes being answered on this thread must not be cached: they change on their own. */
    public void uncached() {
        if (lib != null) {
            lib.denyfs_fuse_uncached();
        }
    }

    /** The opcode ({@link FuseInHeader}) of the request this thread is serving, 0 if unknown (no filter). */
    public int opcode() {
        return lib == null ? 0 : lib.denyfs_fuse_opcode();
    }

    /** The FUSE node of the request this thread is serving (an OPEN's file), 0 if unknown (no filter). */
    public long nodeid() {
        return lib == null ? 0 : lib.denyfs_fuse_nodeid();
    }

    /** The new name of the RENAME this thread is serving, or null. */
    public String renameTo() {
        return lib == null ? null : lib.denyfs_fuse_rename_to();
    }

    /**
     * True if the WRITE, SETATTR, OPEN or CREATE this thread is serving asks the daemon to kill the
     * file's set-id bits (FUSE_HANDLE_KILLPRIV_V2: the kernel asks for a caller without CAP_FSETID).
     */
    public boolean killSuidgid() {
        return lib != null && lib.denyfs_fuse_kill_suidgid() != 0;
    }

    /**
     * True once INIT's reply told the kernel that the daemon kills set-id bits itself
     * (FUSE_HANDLE_KILLPRIV_V2); then the kernel leaves that to the daemon on write, truncate and
     * chown, and marks inodes S_NOSEC instead of asking GETXATTR before every write.
     */
    public boolean killprivV2() {
        Boolean known = killprivV2;
        if (known != null) {
            return known;
        }
        Pointer ch = filtered;
        if (lib == null || ch == null) {
            return false;
        }
        boolean on = lib.denyfs_fuse_killpriv_v2(ch) != 0;
        if (on) {
            killprivV2 = true; // set before INIT's reply went out, and never unset after it did
        }
        return on;
    }

    /** For the daemon figures: replies rewritten, by rule. */
    public String figures() {
        if (lib == null) {
            return "reply_filter=off";
        }
        long[] c = new long[5];
        lib.denyfs_fuse_counters(c);
        return "reply_filter=on attr_uncached_links=" + c[0] + " link_invalidations=" + c[1] + " noflush_opens=" + c[2]
                + " passthrough_replies=" + c[3] + " auto_cache_checks_spared=" + c[4] + " killpriv="
                + (killprivV2() ? "v2" : "kernel");
    }
}
