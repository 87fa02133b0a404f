package org.denyfs.control;

import java.nio.ByteBuffer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The module syscalls as the control file offers them, implemented by the layer that owns the
 * emulated kernel (control may not depend on it). Each call returns normally for the syscall's 0
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
        public void init(Caller caller, ByteBuffer image, String params) {
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

    /** init_module(2) of an image the caller streamed through its control handle. */
    void init(Caller caller, ByteBuffer image, String params);

    /** delete_module(2). */
    void delete(Caller caller, String name, int flags);

    /** Switches the policy when {@code change} is not null; returns the policy now in force. */
    String policy(String change);
}
