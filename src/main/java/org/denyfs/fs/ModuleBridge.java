package org.denyfs.fs;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.denyfs.control.ModuleCalls;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Inode;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.module.Modules;
import org.denyfs.module.Policy;

/**
 * Connects the control file and the FINIT ioctl to the emulated kernel. CAP_SYS_MODULE is uid 0:
 * any other caller gets EPERM first, as the kernel checks the capability before anything else.
 */
final class ModuleBridge implements ModuleCalls {
    private final Modules modules;
    private final Backing backing;
    private final Inodes inodes;
    private final Libc libc = Libc.INSTANCE;

    ModuleBridge(Modules modules, Backing backing, Inodes inodes) {
        this.modules = modules;
        this.backing = backing;
        this.inodes = inodes;
    }

    Modules modules() {
        return modules;
    }

    /** finit_module on an fd the caller opened: the FINIT ioctl. */
    void finit(Caller caller, int fd, int openFlags, InodeKey key, int flags, String params) {
        requireCapability(caller, "finit_module");
        Inode inode = inodes.pin(key);
        try {
            modules.finitModule(new HandleModuleFile(fd, openFlags, inode, inodes, caller), params, flags);
        } finally {
            inodes.unpin(inode);
        }
    }

    @Override
    public void finit(Caller caller, String path, int flags, String params) {
        requireCapability(caller, "finit_module");
        String real = backing.path(java.nio.file.Path.of("/").resolve(path).normalize().toString());
        backing.resolve(path); // refuses paths out of the mount, and non-regular files, with the right errno
        int fd = libc.open(real, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            throw Errnos.lastError(path);
        }
        try {
            finit(caller, fd, Libc.O_RDONLY, backing.keyOf(fd), flags, params);
        } finally {
            libc.close(fd);
        }
    }

    @Override
    public void init(Caller caller, ByteBuffer image, String params) {
        requireCapability(caller, "init_module");
        modules.initModule(image, params);
    }

    @Override
    public void delete(Caller caller, String name, int flags) {
        requireCapability(caller, "delete_module");
        modules.deleteModule(name, flags);
    }

    @Override
    public String policy(String change) {
        if (change != null) {
            try {
                modules.setPolicy(Policy.valueOf(change.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ErrnoException(Errno.EINVAL, "policy '" + change + "': expected plain, exclusive or idempotent");
            }
        }
        return modules.policy().name().toLowerCase(Locale.ROOT);
    }

    private static void requireCapability(Caller caller, String call) {
        if (caller.uid() != 0) {
            throw new ErrnoException(Errno.EPERM, call + ": uid " + caller.uid() + " lacks CAP_SYS_MODULE");
        }
    }
}
