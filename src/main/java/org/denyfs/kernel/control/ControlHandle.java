package org.denyfs.kernel.control;

import com.kenai.jffi.MemoryIO;
import java.util.function.Supplier;
import org.denyfs.core.Caller;
import org.denyfs.kernel.passthrough.Handle;

/** A handle of {@code .denyfs/control}: bytes written are requests, bytes read are replies. */
final class ControlHandle implements Handle {
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private final Session session;
    private final Supplier<Caller> caller;
    private volatile long lastFlushNanos;

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
    }
}
