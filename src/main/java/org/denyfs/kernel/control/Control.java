package org.denyfs.kernel.control;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.denyfs.abi.Abi;
import org.denyfs.core.Caller;
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
 * holders PATH -> ok KIND pid=N uid=N since=ISO-8601, ...   (or "ok -")   who holds the count
 * status       -> ok pid=N inodes=N sessions=N ...   the daemon's own figures
 * wait TICKET  -> ok 0 | err ERRNO     the result of a FINIT ioctl that answered with TICKET
 * firmware PATH -> ok BYTES | err ETXTBSY   request_firmware's read, writes denied for its length
 * </pre>
 * deny, xdeny and firmware need read permission on the file for the caller (see {@link Permissions}).
 * Replies are {@code ok VALUE} or {@code err ERRNO_NAME message}. A bad request gets one err
 * reply and changes nothing. Thread-safety: each {@link Session} serialises its own requests; the
 * counts are the lock-free ones of {@link Inodes}.
 */
public final class Control {
    private final Inodes inodes;
    private final Resolver resolver;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final LongAdder served = new LongAdder();
    /** The daemon's own figures (handles, release lag, FUSE threads...) for the status reply; "" for none. */
    private final Supplier<String> daemonFigures;
    private final ModuleCalls modules;
    private final FirmwareCalls firmware;

    /** A control file without the module subsystem and daemon figures (tests of the protocol). */
    public Control(Inodes inodes, Resolver resolver) {
        this(inodes, resolver, ModuleCalls.NONE, () -> "");
    }

    /** A control file with the module calls, without daemon figures (tests of the protocol). */
    public Control(Inodes inodes, Resolver resolver, ModuleCalls modules) {
        this(inodes, resolver, modules, () -> "");
    }

    public Control(Inodes inodes, Resolver resolver, ModuleCalls modules, Supplier<String> daemonFigures) {
        this(inodes, resolver, modules, daemonFigures, FirmwareCalls.NONE);
    }

    Control(Inodes inodes, Resolver resolver, ModuleCalls modules, Supplier<String> daemonFigures, FirmwareCalls firmware) {
        this.firmware = firmware;
        this.inodes = inodes;
        this.resolver = resolver;
        this.modules = modules;
        this.daemonFigures = daemonFigures;
    }

    /** A new control handle opened by {@code pid}/{@code uid} (from the FUSE request context). */
    public Session open(int pid, int uid) {
        Session session = new Session(this, pid, uid);
        sessions.add(session);
        return session;
    }

    /**
     * As {@link #execute}, for the requests that may wait for another load without a thread
     * (finit, wait): the future completes with the reply's value, or exceptionally with the
     * request's {@link ErrnoException}; every other request runs now.
     */
    CompletableFuture<String> executeLater(Session session, Request request, Caller caller) {
        return switch (request.verb()) {
            case Abi.VERB_FINIT -> {
                served.increment();
                String[] a = words(request, 3);
                yield modules.finitLater(caller, a[0], a.length > 1 ? flags(a[1]) : 0, a.length > 2 ? a[2] : "")
                        .thenApply(ok -> "0");
            }
            case Abi.VERB_WAIT -> {
                served.increment();
                int ticket;
                try {
                    ticket = Integer.parseInt(request.path().trim());
                } catch (NumberFormatException e) {
                    throw new ErrnoException(Errno.EINVAL, "wait: ticket '" + request.path() + "' is not a number");
                }
                yield modules.await(caller, ticket).thenApply(ok -> "0");
            }
            default -> CompletableFuture.completedFuture(execute(session, request, caller));
        };
    }

    String execute(Session session, Request request, Caller caller) {
        served.increment();
        return switch (request.verb()) {
            case Abi.VERB_QUERY -> Integer.toString(inodes.settledCount(resolver.resolve(request.path()).key()));
            case Abi.VERB_DENY -> deny(session, request, caller, HoldKind.DENY);
            case Abi.VERB_XDENY -> deny(session, request, caller, HoldKind.EXCLUSIVE_DENY);
            case Abi.VERB_ALLOW -> {
                var key = resolver.resolve(request.path()).key();
                session.allow(key, request.path());
                yield Integer.toString(inodes.count(key));
            }
            case Abi.VERB_HOLDERS -> {
                var key = resolver.resolve(request.path()).key();
                inodes.settledCount(key); // the holders as user space sees them: releases in flight land first
                yield Holders.describe(inodes.find(key));
            }
            case Abi.VERB_STATUS -> status();
            case Abi.VERB_FINIT -> {
                String[] a = words(request, 3);
                modules.finit(caller, a[0], a.length > 1 ? flags(a[1]) : 0, a.length > 2 ? a[2] : "");
                yield "0";
            }
            case Abi.VERB_DELETE -> {
                String[] a = words(request, 2);
                modules.delete(caller, a[0], a.length > 1 ? flags(a[1]) : 0);
                yield "0";
            }
            case Abi.VERB_POLICY -> modules.policy(request.args().isEmpty() ? null : request.args().get(0));
            case Abi.VERB_FIRMWARE -> Long.toString(firmware.request(caller, request.path()));
            default -> throw new ErrnoException(Errno.EINVAL, "unknown verb '" + request.verb()
                    + "' (expected query, deny, xdeny, allow, holders, status, finit, init, delete, policy, wait or firmware)");
        };
    }

    /** The first words of the request's arguments; the last one takes the rest of the line. */
    private static String[] words(Request request, int max) {
        return request.path().split(" ", max);
    }

    private static int flags(String word) {
        try {
            return word.startsWith("0x") ? Integer.parseUnsignedInt(word.substring(2), 16) : Integer.parseInt(word);
        } catch (NumberFormatException e) {
            throw new ErrnoException(Errno.EINVAL, "flags '" + word + "' is not a number");
        }
    }

    ModuleCalls modules() {
        return modules;
    }

    private String deny(Session session, Request request, Caller caller, HoldKind kind) {
        Target target = resolver.resolve(request.path());
        Permissions.requireRead(caller, target, request.path());
        return Integer.toString(session.deny(target.key(), kind, caller).inode().writes().value());
    }

    private String status() {
        String extra = daemonFigures.get();
        String memory = modules.figures();
        int denies = sessions.stream().mapToInt(Session::holdCount).sum();
        return "pid=" + ProcessHandle.current().pid() + " inodes=" + inodes.size() + " sessions=" + sessions.size()
                + " control_denies=" + denies + " requests=" + served.sum() + (extra.isEmpty() ? "" : " " + extra)
                + (memory.isEmpty() ? "" : " " + memory);
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
