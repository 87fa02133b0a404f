package org.denyfs.kernel.module;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * finit_module calls that wait for another load, each under a ticket its caller claims on the
 * control file ({@code wait TICKET}). Why: the FINIT ioctl is one FUSE request that must be answered
 * by the thread serving it, and an ioctl cannot be answered "try again" and polled; so a waiting
 * call answers the ioctl at once with a ticket, and the caller waits in poll(2) on a non-blocking
 * control handle, where the daemon answers READ with EAGAIN until the result is there (see
 * control.Session). No daemon thread is held for the wait.
 *
 * <p>A ticket is claimed once, by the process (pid and uid) that got it. At most {@link #MAX}
 * tickets are outstanding; past that {@link #issue} says no and the caller waits on its thread, as
 * before. A ticket whose caller died before claiming it is dropped once its call is over and the
 * table is more than half full. Guarded by its own monitor, a leaf lock.
 */
public final class FinitTickets {
    /** The most tickets outstanding at once. */
    public static final int MAX = 8192;

    private record Ticket(int pid, int uid, CompletableFuture<Void> call) {}

    private final Map<Integer, Ticket> table = new HashMap<>();
    private int next = 1;

    /** A ticket (> 0) for {@code call}, which {@code caller} claims later; 0 if the table is full. */
    public synchronized int issue(Caller caller, CompletableFuture<Void> call) {
        if (table.size() >= MAX / 2) {
            dropOrphans();
        }
        if (table.size() >= MAX) {
            return 0;
        }
        while (table.containsKey(next) || next <= 0) {
            next = next <= 0 ? 1 : next + 1;
        }
        int t = next++;
        table.put(t, new Ticket(caller.pid(), caller.uid(), call));
        return t;
    }

    /** The call behind {@code ticket}, which only the process it was issued to may claim; EINVAL otherwise. */
    public synchronized CompletableFuture<Void> claim(Caller caller, int ticket) {
        Ticket t = table.get(ticket);
        if (t == null || t.pid() != caller.pid() || t.uid() != caller.uid()) {
            throw new ErrnoException(Errno.EINVAL, "wait: no finit_module ticket " + ticket + " of pid " + caller.pid());
        }
        table.remove(ticket);
        return t.call();
    }

    /** Tickets outstanding now. */
    public synchronized int outstanding() {
        return table.size();
    }

    private void dropOrphans() {
        for (Iterator<Ticket> it = table.values().iterator(); it.hasNext(); ) {
            Ticket t = it.next();
            if (t.call().isDone() && ProcessHandle.of(t.pid()).isEmpty()) {
                it.remove();
            }
        }
    }
}
