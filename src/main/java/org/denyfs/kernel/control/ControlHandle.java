package org.denyfs.kernel.control;

import com.kenai.jffi.MemoryIO;
import java.util.function.Supplier;
import org.denyfs.core.Caller;
import org.denyfs.kernel.natives.LibFuse;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.passthrough.Handle;

/**
 * A handle of {@code .denyfs/control}: bytes written are requests, bytes read are replies. A READ
 * with O_NONBLOCK in the file's flags does not wait for a request that waits for another load
 * (EAGAIN), and POLL says when it would return (see {@link Session}).
 */
final class ControlHandle implements Handle {
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final LibFuse FUSE = LibFuse.INSTANCE;
    private final Session session;
    private final Supplier<Caller> caller;
    private volatile long lastFlushNanos;
    /** Guarded by this: the poll handle of the POLL waiting to be notified, or 0. */
    private long pollHandle;

    /** {@code caller} answers for the request being served: the writer of each line, not the opener. */
    ControlHandle(Session session, Supplier<Caller> caller) {
        this.session = session;
        this.caller = caller;
    }

    @Override
    public int read(long buf, long size, long offset) {
        byte[] reply = session.read((int) Math.min(size, Integer.MAX_VALUE));
        MEMORY.putByteArray(buf, reply, 0, reply.length);
        return reply.length;
    }

    /** READ with the file's current flags: O_NONBLOCK gets EAGAIN rather than a wait. */
    int read(long buf, long size, int fileFlags) {
        if ((fileFlags & Libc.O_NONBLOCK) == 0) {
            return read(buf, size, 0L);
        }
        byte[] reply = session.readNow((int) Math.min(size, Integer.MAX_VALUE));
        MEMORY.putByteArray(buf, reply, 0, reply.length);
        return reply.length;
    }

    /**
     * POLL: the events ready now. Writing is always possible (a full backlog refuses with EAGAIN);
     * reading when {@link Session#readable} says so. When not, and the poller asked to be notified
     * ({@code ph} not 0), the reply's arrival notifies it; ph replaces an older one, which is freed.
     */
    int poll(long ph) {
        long older;
        boolean ready;
        RuntimeException failed = null;
        synchronized (this) {
            older = pollHandle;
            pollHandle = 0;
            try {
                ready = session.readable(this::wake);
            } catch (RuntimeException e) {
                failed = e;
                ready = true; // ph is not kept: destroyed below, never leaked
            }
            if (!ready) {
                pollHandle = ph;
            }
        }
        if (older != 0) {
            FUSE.fuse_pollhandle_destroy(older);
        }
        if (ready && ph != 0) {
            FUSE.fuse_pollhandle_destroy(ph);
        }
        if (failed != null) {
            throw failed;
        }
        return Libc.POLLOUT | Libc.POLLWRNORM | (ready ? Libc.POLLIN | Libc.POLLRDNORM : 0);
    }

    /** The waiting request's reply is in: the poller's poll(2) asks again and finds POLLIN. */
    private void wake() {
        long ph;
        synchronized (this) {
            ph = pollHandle;
            pollHandle = 0;
        }
        if (ph != 0) {
            FUSE.fuse_notify_poll(ph);
            FUSE.fuse_pollhandle_destroy(ph);
        }
    }

    @Override
    public int write(long buf, long size, long offset) {
        int n = (int) size; // at most max_write: the kernel splits larger writes
        byte[] bytes = new byte[n];
        MEMORY.getByteArray(buf, bytes, 0, n);
        return session.write(bytes, caller.get()); // short when the handle's backlog is full (direct_io passes it on)
    }

    @Override
    public void flush() {
        lastFlushNanos = System.nanoTime();
        session.flush();
    }

    @Override
    public long lastFlushNanos() {
        return lastFlushNanos;
    }

    @Override
    public void release() {
        session.close();
        long ph;
        synchronized (this) {
            ph = pollHandle;
            pollHandle = 0;
        }
        if (ph != 0) {
            FUSE.fuse_pollhandle_destroy(ph);
        }
    }
}
