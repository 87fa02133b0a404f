package org.denyfs.kernel.control;

import java.util.concurrent.CompletableFuture;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The module syscalls as the control file offers them: {@link ModuleSyscalls} on the emulated kernel,
 * or {@link #NONE} and fakes in the protocol's tests. Each call returns normally for the syscall's 0
 * and throws {@link ErrnoException} with the kernel's errno otherwise.
 */
public interface ModuleCalls {
    /** A mount without the module subsystem. */
    ModuleCalls NONE = new ModuleCalls() {
        @Override
        public void finit(Caller caller, String path, int flags, String params) {
            throw new ErrnoException(Errno.ENOSYS, "no module subsystem");
        }

        @Override
        public ImageUpload beginInit(Caller caller, long len) {
            throw new ErrnoException(Errno.ENOSYS, "no module subsystem");
        }

        @Override
        public void delete(Caller caller, String name, int flags) {
            throw new ErrnoException(Errno.ENOSYS, "no module subsystem");
        }

        @Override
        public String policy(String change) {
            throw new ErrnoException(Errno.ENOSYS, "no module subsystem");
        }
    };

    /** finit_module(2) of PATH, which the daemon opens read-only for the caller. */
    void finit(Caller caller, String path, int flags, String params);

    /**
     * As {@link #finit}, but a call that waits for another caller's load holds no thread: the future
     * completes with its result (exceptionally with the {@link ErrnoException}). By default, the
     * blocking call.
     */
    default CompletableFuture<Void> finitLater(Caller caller, String path, int flags, String params) {
        try {
            finit(caller, path, flags, params);
            return CompletableFuture.completedFuture(null);
        } catch (ErrnoException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The call behind a FINIT ioctl's ticket, for the caller it was issued to (EINVAL for any other). */
    default CompletableFuture<Void> await(Caller caller, int ticket) {
        throw new ErrnoException(Errno.EINVAL, "wait: no finit_module ticket " + ticket);
    }

    /**
     * init_module(2) of LEN bytes the caller is about to stream through its control handle: the
     * permission and size checks, then the kernel's buffer for the image (EPERM without
     * CAP_SYS_MODULE, ENOEXEC for a LEN shorter than an ELF header, ENOMEM over a memory limit), all
     * before one byte of the image is taken.
     */
    ImageUpload beginInit(Caller caller, long len);

    /** delete_module(2). */
    void delete(Caller caller, String name, int flags);

    /** Switches the policy when {@code change} is not null; returns the policy now in force. */
    String policy(String change);

    /** The memory limits and the module bytes in flight, for the status reply ("" if none). */
    default String figures() {
        return "";
    }
}
