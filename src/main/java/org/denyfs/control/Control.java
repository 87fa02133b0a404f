package org.denyfs.control;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.HoldKind;
import org.denyfs.core.Inodes;

/**
 * The control interface: a line protocol spoken on handles of {@code MOUNT/.denyfs/control}.
 * <pre>
 * query PATH   -> ok N                 the inode's signed write count
 * deny PATH    -> ok N | err ETXTBSY   deny_write_access, held by this handle
 * xdeny PATH   -> ok N | err ETXTBSY   exclusive_deny_write_access, held by this handle
 * allow PATH   -> ok N | err EINVAL    gives back this handle's newest deny on PATH
 * status       -> ok pid=N inodes=N sessions=N requests=N ...   the daemon's own figures
 * </pre>
 * Replies are {@code ok VALUE} or {@code err ERRNO_NAME message}. A bad request gets one err
 * reply and changes nothing. Thread-safety: each {@link Session} serialises its own requests; the
 * counts are the lock-free ones of {@link Inodes}.
 */
public final class Control {
    private final Inodes inodes;
    private final Resolver resolver;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final LongAdder served = new LongAdder();
    private volatile Supplier<String> daemonFigures = () -> "";

    public Control(Inodes inodes, Resolver resolver) {
        this.inodes = inodes;
        this.resolver = resolver;
    }

    /** Figures the layer above knows (open handles, release lag), appended to the status reply. */
    public void daemonFigures(Supplier<String> figures) {
        this.daemonFigures = figures;
    }

    /** A new control handle opened by {@code pid}/{@code uid} (from the FUSE request context). */
    public Session open(int pid, int uid) {
        Session session = new Session(this, pid, uid);
        sessions.add(session);
        return session;
    }

    String execute(Session session, Request request) {
        served.increment();
        return switch (request.verb()) {
            case "query" -> Integer.toString(inodes.count(resolver.resolve(request.path())));
            case "deny" -> Integer.toString(session.deny(resolver.resolve(request.path()), HoldKind.DENY)
                    .inode().writes().value());
            case "xdeny" -> Integer.toString(session.deny(resolver.resolve(request.path()), HoldKind.EXCLUSIVE_DENY)
                    .inode().writes().value());
            case "allow" -> {
                var key = resolver.resolve(request.path());
                session.allow(key, request.path());
                yield Integer.toString(inodes.count(key));
            }
            case "status" -> status();
            default -> throw new ErrnoException(Errno.EINVAL, "unknown verb '" + request.verb()
                    + "' (expected query, deny, xdeny, allow or status)");
        };
    }

    private String status() {
        String extra = daemonFigures.get();
        return "pid=" + ProcessHandle.current().pid() + " inodes=" + inodes.size() + " sessions=" + sessions.size()
                + " requests=" + served.sum() + (extra.isEmpty() ? "" : " " + extra);
    }

    Inodes inodes() {
        return inodes;
    }

    void closed(Session session) {
        sessions.remove(session);
    }

    public int sessionCount() {
        return sessions.size();
    }

    public long requestsServed() {
        return served.sum();
    }
}
