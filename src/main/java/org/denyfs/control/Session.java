package org.denyfs.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 */
public final class Session {
    private final Control control;
    private final int pid;
    private final int uid;
    /** Denies this handle holds, newest last; allow gives back the newest on the named inode. */
    private final Deque<Hold> holds = new ConcurrentLinkedDeque<>();
    /** Reply bytes not yet read; bytes, not chars, so a read may split a UTF-8 name safely. */
    private byte[] pending = new byte[0];
    private boolean closed;

    Session(Control control, int pid, int uid) {
        this.control = control;
        this.pid = pid;
        this.uid = uid;
    }

    /** Handles every line in one write(2) by {@code caller}; a final line without '\n' is a whole line. */
    public synchronized void write(String text, Caller caller) {
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            out.append(answer(text.substring(start, end), caller)).append('\n');
            start = end + 1;
        }
        byte[] add = out.toString().getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(pending, pending.length + add.length);
        System.arraycopy(add, 0, joined, pending.length, add.length);
        pending = joined;
    }

    /** Takes up to {@code max} bytes of pending replies; an empty result means nothing is pending. */
    public synchronized byte[] read(int max) {
        int n = Math.min(max, pending.length);
        byte[] out = Arrays.copyOf(pending, n);
        pending = Arrays.copyOfRange(pending, n, pending.length);
        return out;
    }

    String answer(String line, Caller caller) {
        try {
            Request request = Request.parse(line);
            return "ok " + control.execute(this, request, caller);
        } catch (ErrnoException e) {
            String detail = e.getMessage() == null ? e.errno().message() : e.getMessage();
            return "err " + e.errno().name() + " " + detail;
        }
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
