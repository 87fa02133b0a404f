package org.denyfs.kernel.natives;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.size_t;

/**
 * The part of libfuse 2.9's API that fuse_main_real and fuse_loop_mt are built from (the daemon runs
 * the loop itself, on Java threads: see kernel.fuse.FuseLoop), and the request context.
 */
public interface LibFuse {
    LibFuse INSTANCE = LibraryLoader.create(LibFuse.class).failImmediately().load("fuse");

    Pointer fuse_setup(int argc, String[] argv, Pointer op, @size_t long opSize, Pointer mountpoint,
                       Pointer multithreaded, Pointer userData);

    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer se, Pointer ch);

    @size_t long fuse_chan_bufsize(Pointer ch);

    /** Reads one request into the {@link FuseBuf} at {@code buf}. */
    int fuse_session_receive_buf(Pointer se, Pointer buf, Pointer chp);

    void fuse_session_process_buf(Pointer se, Pointer buf, Pointer ch);

    int fuse_session_exited(Pointer se);

    void fuse_session_exit(Pointer se);

    /**
     * Tells the kernel that the file of a POLL request's handle ({@code struct fuse_pollhandle *},
     * given when the poller asked to be notified) may be ready: its poll(2) asks again.
     */
    int fuse_notify_poll(@intptr_t long ph);

    /** Frees a poll handle: after its notification, or when a newer POLL or the release replaces it. */
    void fuse_pollhandle_destroy(@intptr_t long ph);

    /** The calling worker's {@link FuseContext}, as an address. */
    @intptr_t long fuse_get_context();
}
