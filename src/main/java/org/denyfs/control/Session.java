package org.denyfs.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.InodeKey;

/**
 * One open handle of the control file. Requests written to it are answered on it, in order; every
 * deny it takes belongs to it and is allowed again when the handle is released, so a holder that
 * crashes never leaks a deny.
 *
 * <p>Requests run when their replies are read (or at close, for a client that never reads), not
 * when they are written: the kernel serialises write(2) on one FUSE inode, so a finit_module that
 * ran inside a write would hold up every other process's control requests for its whole length.
 * Direct reads take no such lock, so requests of different handles run in parallel, as the
 * syscalls they stand for do. Each request keeps the credentials of the process that wrote it.
 */
public final class Session {
    private final Control control;
    private final int pid;
    private final int uid;
    /** Denies this handle holds, newest last; allow gives back the newest on the named inode. */
    private final Deque<Hold> holds = new ConcurrentLinkedDeque<>();
    /** Guards {@link #queued}, {@link #pending} and {@link #upload}; held only for bookkeeping. */
    private final Object buffers = new Object();
    /** Runs queued requests one at a time, in order; never held by write(). */
    private final ReentrantLock running = new ReentrantLock();
    private final ArrayDeque<Work> queued = new ArrayDeque<>();
    /** Reply bytes not yet read; bytes, not chars, so a read may split a UTF-8 name safely. */
    private byte[] pending = new byte[0];
    /** An init_module image being streamed in, or null. */
    private Upload upload;
    private boolean closed;

    /** A written request waiting to run, with the credentials of its writer. */
    private interface Work {
        String run();
    }

    Session(Control control, int pid, int uid) {
        this.control = control;
        this.pid = pid;
        this.uid = uid;
    }

    /** As {@link #write(byte[], Caller)}, for text. */
    public void write(String text, Caller caller) {
        write(text.getBytes(StandardCharsets.UTF_8), caller);
    }

    /**
     * Queues the requests in the bytes of one write(2): lines, and after an "init LEN ..." line
     * exactly LEN raw image bytes, which may span several writes. A final line without '\n' is a
     * whole line. Returns at once; nothing runs here.
     */
    public void write(byte[] data, Caller caller) {
        synchronized (buffers) {
            int i = 0;
            while (i < data.length) {
                if (upload != null) {
                    i = upload.take(data, i);
                    queueUploadIfComplete(caller);
                    continue;
                }
                int end = i;
                while (end < data.length && data[end] != '\n') {
                    end++;
                }
                String line = new String(data, i, end - i, StandardCharsets.UTF_8);
                i = end + 1;
                if (line.startsWith(Abi.VERB_INIT + " ")) {
                    try {
                        upload = Upload.parse(line, control.modules());
                        queueUploadIfComplete(caller); // LEN 0: the kernel answers an empty image at once
                    } catch (ErrnoException e) {
                        queued.add(() -> error(e));
                    }
                } else {
                    queued.add(() -> answer(line, caller));
                }
            }
        }
    }

    private void queueUploadIfComplete(Caller caller) {
        if (upload.complete()) {
            Upload done = upload;
            upload = null;
            queued.add(() -> done.run(caller));
        }
    }

    /**
     * Runs what was written and takes up to {@code max} bytes of replies; an empty result means
     * nothing is pending.
     */
    public byte[] read(int max) {
        runQueued();
        synchronized (buffers) {
            int n = Math.min(max, pending.length);
            byte[] out = Arrays.copyOf(pending, n);
            pending = Arrays.copyOfRange(pending, n, pending.length);
            return out;
        }
    }

    /** At close(2): requests written but never read still run (their replies are dropped with the handle). */
    public void flush() {
        runQueued();
    }

    private void runQueued() {
        running.lock();
        try {
            while (true) {
                Work next;
                synchronized (buffers) {
                    next = queued.poll();
                }
                if (next == null) {
                    return;
                }
                byte[] reply = (next.run() + "\n").getBytes(StandardCharsets.UTF_8);
                synchronized (buffers) {
                    byte[] joined = Arrays.copyOf(pending, pending.length + reply.length);
                    System.arraycopy(reply, 0, joined, pending.length, reply.length);
                    pending = joined;
                }
            }
        } finally {
            running.unlock();
        }
    }

    String answer(String line, Caller caller) {
        try {
            Request request = Request.parse(line);
            return "ok " + control.execute(this, request, caller);
        } catch (ErrnoException e) {
            return error(e);
        }
    }

    static String error(ErrnoException e) {
        String detail = e.getMessage() == null ? e.errno().message() : e.getMessage();
        return "err " + e.errno().name() + " " + detail;
    }

    synchronized Hold deny(InodeKey key, HoldKind kind, Caller caller) {
        if (closed) {
            throw new ErrnoException(Errno.EBADF, "control handle is closed");
        }
        Hold hold = control.inodes().take(key, kind, caller.pid(), caller.uid());
        holds.addLast(hold);
        return hold;
    }

    synchronized void allow(InodeKey key, String path) {
        var it = holds.descendingIterator();
        while (it.hasNext()) {
            Hold hold = it.next();
            if (hold.inode().key().equals(key)) {
                it.remove();
                control.inodes().release(hold);
                return;
            }
        }
        throw new ErrnoException(Errno.EINVAL, "allow: this handle holds no deny on " + path);
    }

    /** Releases every deny this handle still holds; called once, at the handle's release. */
    public synchronized void close() {
        closed = true;
        List<Hold> left = new ArrayList<>(holds);
        holds.clear();
        for (int i = left.size() - 1; i >= 0; i--) {
            control.inodes().release(left.get(i));
        }
        control.closed(this);
    }

    public int pid() {
        return pid;
    }

    public int uid() {
        return uid;
    }

    int holdCount() {
        return holds.size();
    }
}
