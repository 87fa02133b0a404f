package org.denyfs.kernel.module;

import java.util.concurrent.CompletableFuture;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Inode;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;

/**
 * finit_module(2) on a backing descriptor: the FINIT ioctl on a file the caller opened through the
 * mount, or the descriptor a control-file {@code finit PATH} was resolved into. The emulated kernel
 * reads the module through that descriptor ({@link FdModuleFile}), so the file loaded is the one
 * opened, and its deny of writes is a hold on the same inode as every other. This and
 * {@link #requireCapability} are the syscalls' entry with a caller; {@link Modules} knows none.
 */
public final class FinitModule {
    private final Modules kernel;
    private final Inodes inodes;
    private final FinitTickets tickets = new FinitTickets();
    /** Calls of {@link #finitLater} waiting now, without a thread. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    public FinitModule(Modules kernel, Inodes inodes) {
        this.kernel = kernel;
        this.inodes = inodes;
    }

    /**
     * finit_module(fd, params, flags) for {@code caller}: returns for the syscall's 0, throws
     * ErrnoException with the kernel's errno otherwise.
     *
     * @param openFlags how {@code fd} was opened (finit_module refuses a file open for write)
     * @param key the inode {@code fd} refers to
     */
    public void finit(Caller caller, int fd, int openFlags, InodeKey key, int flags, String params) {
        requireCapability(caller, "finit_module");
        Inode inode = inodes.pin(key);
        try {
            kernel.finitModule(new FdModuleFile(fd, openFlags, inode, inodes, caller), params, flags);
        } finally {
            inodes.unpin(inode);
        }
    }

    /**
     * finit_module(fd, params, flags) for {@code caller} that holds no thread while it waits for
     * another load (an idempotent group of the same inode, a same-name module still loading, a COMING
     * module whose symbol it needs: see {@link Modules#finitModuleLater}): the returned future is
     * done when this returns unless the call waits; it completes normally for the syscall's 0 and
     * exceptionally with the kernel's {@link ErrnoException}. The inode stays pinned until then.
     */
    public CompletableFuture<Void> finitLater(Caller caller, int fd, int openFlags, InodeKey key, int flags, String params) {
        try {
            requireCapability(caller, "finit_module");
        } catch (ErrnoException e) {
            return CompletableFuture.failedFuture(e);
        }
        Inode inode = inodes.pin(key);
        CompletableFuture<Void> call;
        try {
            call = kernel.finitModuleLater(new FdModuleFile(fd, openFlags, inode, inodes, caller), params, flags);
        } catch (RuntimeException e) {
            inodes.unpin(inode);
            throw e;
        }
        if (call.isDone()) {
            inodes.unpin(inode);
            return call;
        }
        waiting.incrementAndGet();
        return call.whenComplete((ok, failure) -> {
            waiting.decrementAndGet();
            inodes.unpin(inode);
        });
    }

    /**
     * finit_module calls waiting now without holding a thread (status: finit_waiting): for another
     * caller's load of the same inode, or, parked, for another module (loads_parked counts those).
     */
    public int waiting() {
        return waiting.get();
    }

    /** The calls waiting by ticket (the FINIT ioctl's way of waiting without a thread). */
    public FinitTickets tickets() {
        return tickets;
    }

    /**
     * CAP_SYS_MODULE, which the emulated kernel grants uid 0: any other caller gets EPERM before
     * anything else is done or allocated, as the kernel checks the capability first.
     */
    public static void requireCapability(Caller caller, String call) {
        if (caller.uid() != 0) {
            throw new ErrnoException(Errno.EPERM, call + ": uid " + caller.uid() + " lacks CAP_SYS_MODULE");
        }
    }
}
