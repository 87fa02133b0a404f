package org.denyfs.kernel.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.abi.Abi;
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
 *
 * <p>Waiting without a thread: a finit (or a FINIT ioctl's "wait TICKET") that waits for another
 * caller's load of the same file answers with a future, not a parked thread. A blocking READ waits
 * for it as before; a READ on a handle opened O_NONBLOCK ({@link #readNow}) gets EAGAIN until the
 * reply is there, and {@link #readable} registers the POLL wake-up that the reply's arrival runs.
 * Requests after a waiting one run only once its reply is in, so replies stay in order.
 *
 * <p>Lines: see {@link RequestLines}. A line split over several WRITEs is joined; an overlong one
 * is one bad request, whatever the WRITE boundaries; a final line without '\n' is a whole line when
 * a read or the close follows.
 *
 * <p>Locking, one scheme: {@link #state} guards every mutable field and is held only for
 * bookkeeping, never while a request runs, a hold is taken or given back, or an upload is freed;
 * {@link #turn} lets one reader at a time run the queued requests, in order. Lock order: turn, then
 * state. write() takes only state, so a writer never waits for a running request.
 */
public final class Session {
    private static final Logger LOG = LogManager.getLogger(Session.class);
    /**
     * The most requests one handle may hold that wait to run or whose replies wait to be read, so a
     * client that writes and never reads cannot grow the daemon: a write past it is short, or EAGAIN
     * when not one byte of it could be taken.
     */
    public static final int MAX_BACKLOG = 256;

    private final Control control;
    private final int pid;
    private final int uid;
    /** Guards every field below it. */
    private final Object state = new Object();
    /** Held by the one thread running queued requests; taken before {@link #state}, never inside it. */
    private final ReentrantLock turn = new ReentrantLock();
    /** Guarded by state: the line being written. */
    private final RequestLines lines = new RequestLines();
    /** Guarded by state: requests written and not yet run, oldest first. */
    private final ArrayDeque<Work> queued = new ArrayDeque<>();
    /** Guarded by state: reply bytes not yet read; bytes, not chars, so a read may split a UTF-8 name safely. */
    private byte[] pending = new byte[0];
    /** Guarded by state: replies in {@link #pending} not read to their end. */
    private int unreadReplies;
    /** Guarded by state: an init_module image being streamed in, or null. */
    private Upload upload;
    /** Guarded by state: denies this handle holds, newest last; allow gives back the newest on the named inode. */
    private final ArrayDeque<Hold> holds = new ArrayDeque<>();
    /** Guarded by state: the handle was released; no deny may be added. */
    private boolean closed;
    /** Guarded by state: who wrote the last bytes, so a line ended by a read runs with its writer's credentials. */
    private Caller lastWriter;
    /**
     * Guarded by state: the request that waits for another load, completed just after its reply is
     * in {@link #pending} (a blocking reader joins it); null when none waits. Cleared by the next
     * runner that finds {@link #waitOver}.
     */
    private CompletableFuture<Void> waiting;
    /**
     * Guarded by state: the reply of {@link #waiting} is in. Set in the same critical section that
     * appends it and takes the wake-up, so readers and POLL decide on it, never on
     * {@code waiting.isDone()}, which turns true only later, on the completing thread: in that gap a
     * client could read the reply, send a second request, be told EAGAIN and register a wake-up that
     * nobody runs.
     */
    private boolean waitOver;
    /** Guarded by state: run once when the waiting request's reply arrives (a POLL's notification). */
    private Runnable wakeUp;

    /** A written request waiting to run, with the credentials of its writer. */
    private interface Work {
        /** The reply line, now or (a request that waits for another load) later. */
        CompletableFuture<String> run();

        /** The handle went before it ran: give back what it holds (an upload's memory). */
        default void drop() {}
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
     * Queues the requests in the bytes of one WRITE: lines, and after an "init LEN ..." line
     * exactly LEN raw image bytes, which may span several writes. Returns at once with the number
     * of bytes taken; nothing runs here. Fewer than all are taken when {@link #MAX_BACKLOG} requests
     * wait already: the write stops before the line that would be one too many (the kernel returns
     * a short write(2)); EAGAIN if not one byte could be taken.
     */
    public int write(byte[] data, Caller caller) {
        synchronized (state) {
            lastWriter = caller;
            int i = 0;
            while (i < data.length) {
                if (upload != null) {
                    i = upload.take(data, i);
                    queueUploadIfComplete();
                    continue;
                }
                if (backlog() >= MAX_BACKLOG && endsALine(data, i)) {
                    break;
                }
                i = lines.take(data, i);
                RequestLines.Line line = lines.completed();
                if (line != null) {
                    queueLine(line, caller);
                }
            }
            if (i == 0 && data.length > 0) {
                throw new ErrnoException(Errno.EAGAIN, "control handle: " + MAX_BACKLOG
                        + " requests wait for their replies to be read");
            }
            return i;
        }
    }

    /** Requests queued, replies unread, and an upload on its way. Caller holds state. */
    private int backlog() {
        return queued.size() + unreadReplies + (upload != null && upload.accepted() ? 1 : 0);
    }

    private static boolean endsALine(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    /** Caller holds state. */
    private void queueLine(RequestLines.Line line, Caller caller) {
        if (line.overlong()) {
            queued.add(() -> now(error(new ErrnoException(Errno.EINVAL, "request line longer than " + Request.MAX_LINE + " bytes"))));
            return;
        }
        String text = line.text();
        if (text.startsWith(Abi.VERB_INIT + " ")) {
            startUpload(text, caller);
        } else {
            queued.add(() -> answerLater(text, caller));
        }
    }

    /**
     * "init LEN [PARAMS]": the kernel's checks and its buffer, before any image byte is taken. A
     * refusal is answered at once and the LEN bytes that follow are skipped. Caller holds state (the
     * buffer is allocated under it: only for a caller with CAP_SYS_MODULE, within the limits).
     */
    private void startUpload(String text, Caller caller) {
        long len;
        try {
            len = Upload.length(text);
        } catch (ErrnoException e) {
            queued.add(() -> now(error(e))); // no length: the bytes that follow can only be read as lines
            return;
        }
        try {
            upload = Upload.start(text, len, caller, control.modules());
        } catch (ErrnoException e) {
            queued.add(() -> now(error(e)));
            upload = Upload.refused(len);
        }
        queueUploadIfComplete();
    }

    /** Caller holds state. */
    private void queueUploadIfComplete() {
        if (upload.complete()) {
            Upload done = upload;
            upload = null;
            if (done.accepted()) {
                queued.add(new Work() {
                    @Override
                    public CompletableFuture<String> run() {
                        return now(done.run());
                    }

                    @Override
                    public void drop() {
                        done.drop();
                    }
                });
            }
        }
    }

    /**
     * Runs what was written and takes up to {@code max} bytes of replies; an empty result means
     * nothing is pending.
     */
    public byte[] read(int max) {
        runQueued(true);
        synchronized (state) {
            return take(max);
        }
    }

    /**
     * READ on a handle opened O_NONBLOCK: as {@link #read}, but EAGAIN instead of waiting while a
     * request waits for another load and no reply byte is there yet: exactly when {@link #readable}
     * says no, so a client that polls never spins. The requests it runs still run on this thread
     * (after another reader's running ones: the turn is never held across a wait).
     */
    public byte[] readNow(int max) {
        runQueued(false);
        synchronized (state) {
            if (pending.length == 0 && waiting != null && !waitOver) {
                throw new ErrnoException(Errno.EAGAIN, "control handle: the reply is not there yet; poll(2) for POLLIN");
            }
            return take(max);
        }
    }

    /**
     * POLL: whether a READ would return now (a reply is there, or what is queued can run, or there is
     * nothing to wait for: end of file). If not, {@code wake} runs once when the waiting request's
     * reply arrives; it replaces a wake-up registered before.
     */
    public boolean readable(Runnable wake) {
        synchronized (state) {
            if (pending.length > 0 || closed || waiting == null || waitOver) {
                return true;
            }
            wakeUp = wake;
            return false;
        }
    }

    /** Caller holds state. */
    private byte[] take(int max) {
        int n = Math.min(max, pending.length);
        byte[] out = Arrays.copyOf(pending, n);
        pending = Arrays.copyOfRange(pending, n, pending.length);
        for (byte b : out) {
            if (b == '\n') {
                unreadReplies--;
            }
        }
        return out;
    }

    /**
     * At close(2): requests written but never read still run (their replies are dropped with the
     * handle), up to one that waits for another load: the close does not wait for that load (a
     * FUSE worker, and the client's close(2), would be held for its whole length; a udev worker
     * killed at its timeout would pin a daemon thread). The waiting request's reply, and what was
     * queued behind it, go with the handle at its release.
     */
    public void flush() {
        runQueued(false);
    }

    /**
     * A read or the close: the line being written ends here, then everything queued runs, in order,
     * up to a request that waits for another load (its reply is appended when it comes). With
     * {@code join} a caller then waits for that reply, outside the turn, and goes on.
     */
    private void runQueued(boolean join) {
        while (true) {
            CompletableFuture<Void> w;
            turn.lock();
            try {
                w = runUntilWaiting();
            } finally {
                turn.unlock();
            }
            if (w == null || !join) {
                return;
            }
            w.join(); // completes normally: the reply is in (see awaitReply)
        }
    }

    /** Caller holds turn. Null once nothing is queued, else the request that waits, not over yet. */
    private CompletableFuture<Void> runUntilWaiting() {
        synchronized (state) {
            if (upload == null) {
                lines.end();
                RequestLines.Line line = lines.completed();
                if (line != null) {
                    queueLine(line, lastWriter);
                }
            }
        }
        while (true) {
            Work next;
            synchronized (state) {
                if (waiting != null) {
                    if (!waitOver) {
                        return waiting;
                    }
                    waiting = null;
                }
                next = queued.poll();
            }
            if (next == null) {
                return null;
            }
            CompletableFuture<String> reply = next.run();
            if (reply.isDone()) {
                append(reply.join());
            } else {
                CompletableFuture<Void> in = new CompletableFuture<>();
                synchronized (state) {
                    waiting = in;
                    waitOver = false;
                }
                // may run here, at once, if the load ended meanwhile: waitOver is then already set
                reply.whenComplete((line, failure) -> {
                    awaitReply(failure == null ? line : internalError("(waiting)", new IllegalStateException(failure)));
                    in.complete(null);
                });
            }
        }
    }

    /** The reply of a request that waited for another load: appended, then the POLL wake-up runs. */
    private void awaitReply(String line) {
        Runnable wake;
        synchronized (state) {
            appendLocked(line);
            waitOver = true;
            // taken with the reply in, so a POLL after this finds it and one before is woken
            wake = wakeUp;
            wakeUp = null;
        }
        if (wake != null) {
            wake.run();
        }
    }

    private void append(String line) {
        synchronized (state) {
            appendLocked(line);
        }
    }

    /** Caller holds state. A closed handle's replies are dropped. */
    private void appendLocked(String line) {
        if (closed) {
            return;
        }
        byte[] reply = (line + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(pending, pending.length + reply.length);
        System.arraycopy(reply, 0, joined, pending.length, reply.length);
        pending = joined;
        unreadReplies++;
    }

    private static CompletableFuture<String> now(String line) {
        return CompletableFuture.completedFuture(line);
    }

    String answer(String line, Caller caller) {
        return answerLater(line, caller).join();
    }

    /** The reply line of one request; later only for a request that waits for another load. */
    private CompletableFuture<String> answerLater(String line, Caller caller) {
        try {
            Request request = Request.parse(line);
            return control.executeLater(this, request, caller).handle((value, failure) -> {
                if (failure == null) {
                    return "ok " + value;
                }
                Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (t instanceof ErrnoException e) {
                    return error(e);
                }
                return internalError(line, t instanceof RuntimeException r ? r : new IllegalStateException(t));
            });
        } catch (ErrnoException e) {
            return now(error(e));
        } catch (RuntimeException e) {
            return now(internalError(line, e));
        }
    }

    /**
     * A request that failed with anything but an errno is a bug: logged with its stack, answered
     * EIO on its own line, so the handle and the requests after it go on.
     */
    static String internalError(String request, RuntimeException e) {
        String verb = request.split(" ", 2)[0];
        LOG.error("control request '{}': unexpected failure, answering EIO", verb, e);
        return "err EIO internal error: " + e;
    }

    static String error(ErrnoException e) {
        String detail = e.getMessage() == null ? e.errno().message() : e.getMessage();
        return "err " + e.errno().name() + " " + detail;
    }

    /** Takes a deny held by this handle; EBADF once the handle is released. Never under state: take() may wait. */
    Hold deny(InodeKey key, HoldKind kind, Caller caller) {
        synchronized (state) {
            if (closed) {
                throw new ErrnoException(Errno.EBADF, "control handle is closed");
            }
        }
        Hold hold = control.inodes().take(key, kind, caller.pid(), caller.uid());
        synchronized (state) {
            if (!closed) {
                holds.addLast(hold);
                return hold;
            }
        }
        control.inodes().release(hold); // released while the deny was being taken
        throw new ErrnoException(Errno.EBADF, "control handle is closed");
    }

    /** Gives back the newest deny this handle holds on {@code key}. */
    void allow(InodeKey key, String path) {
        Hold found = null;
        synchronized (state) {
            var it = holds.descendingIterator();
            while (it.hasNext()) {
                Hold hold = it.next();
                if (hold.inode().key().equals(key)) {
                    it.remove();
                    found = hold;
                    break;
                }
            }
        }
        if (found == null) {
            throw new ErrnoException(Errno.EINVAL, "allow: this handle holds no deny on " + path);
        }
        control.inodes().release(found);
    }

    /** Releases every deny this handle still holds and frees an unfinished upload; called once, at the handle's release. */
    public void close() {
        List<Hold> left;
        Upload unfinished;
        List<Work> neverRun;
        synchronized (state) {
            closed = true;
            left = new ArrayList<>(holds);
            holds.clear();
            unfinished = upload;
            upload = null;
            neverRun = new ArrayList<>(queued);
            queued.clear();
            pending = new byte[0];
            unreadReplies = 0;
            wakeUp = null;
        }
        // an image's memory goes with the handle, now, not at some collection
        if (unfinished != null) {
            unfinished.drop();
        }
        neverRun.forEach(Work::drop);
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
        synchronized (state) {
            return holds.size();
        }
    }
}
