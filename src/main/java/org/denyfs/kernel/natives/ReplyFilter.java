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
 * attributes cached except where hard links or the virtual tree make the kernel's cache wrong, and spare backing
 * files the FLUSH round trip at every close (FOPEN_NOFLUSH).
 *
 * <p>Without the library (a jar run without its build tree) requests go straight to libfuse and
 * the mount falls back to attr_timeout=0: slower opens, the same answers.
 */
public final class ReplyFilter {
    private static final Logger LOG = LogManager.getLogger(ReplyFilter.class);
    static final String LIBRARY = "libdenyfs-fuse.so";

    /** libdenyfs-fuse.so's exports. */
    public interface Lib {
        Pointer denyfs_fuse_filter(Pointer kernelChannel);

        void denyfs_fuse_process(Pointer se, Pointer buf, Pointer filteredChannel);

        void denyfs_fuse_no_flush();

        void denyfs_fuse_uncached();

        void denyfs_fuse_counters(@Out long[] out);

        int denyfs_fuse_opcode();

        String denyfs_fuse_rename_to();
    }


    private final Lib lib;

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
        return lib == null ? kernelChannel : lib.denyfs_fuse_filter(kernelChannel);
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

    /** The new name of the RENAME this thread is serving, or null. */
    public String renameTo() {
        return lib == null ? null : lib.denyfs_fuse_rename_to();
    }

    /** For the daemon figures: replies rewritten, by rule. */
    public String figures() {
        if (lib == null) {
            return "reply_filter=off";
        }
        long[] c = new long[3];
        lib.denyfs_fuse_counters(c);
        return "reply_filter=on attr_uncached_links=" + c[0] + " link_invalidations=" + c[1] + " noflush_opens=" + c[2];
    }
}
