package org.denyfs.kernel.control;
import java.util.Locale;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Inode;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.module.Modules;
import org.denyfs.kernel.module.Policy;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.passthrough.HandleModuleFile;

/**
 * Connects the control file and the FINIT ioctl to the emulated kernel. CAP_SYS_MODULE is uid 0:
 * any other caller gets EPERM first, as the kernel checks the capability before anything else.
 */
public final class ModuleBridge implements ModuleCalls {
    private final Modules modules;
    private final ControlPaths paths;
    private final Inodes inodes;

    public ModuleBridge(Modules modules, ControlPaths paths, Inodes inodes) {
        this.modules = modules;
        this.paths = paths;
        this.inodes = inodes;
    }

    public Modules modules() {
        return modules;
    }

    /** finit_module on an fd the caller opened: the FINIT ioctl. */
    public void finit(Caller caller, int fd, int openFlags, InodeKey key, int flags, String params) {
        requireCapability(caller, "finit_module");
        Inode inode = inodes.pin(key);
        try {
            modules.finitModule(new HandleModuleFile(fd, openFlags, inode, inodes, caller), params, flags);
        } finally {
            inodes.unpin(inode);
        }
    }

    /**
     * finit of a control-request PATH: resolved once beneath the backing root into the descriptor
     * the module is read from, so the file loaded is the one the checks saw (see ControlPaths).
     */
    @Override
    public void finit(Caller caller, String path, int flags, String params) {
        requireCapability(caller, "finit_module");
        try (Target file = paths.openForReading(path)) {
            finit(caller, file.fd(), Libc.O_RDONLY, file.key(), flags, params);
        }
    }

    /** CAP_SYS_MODULE first: nothing is allocated for a caller who may not load. */
    @Override
    public ImageUpload beginInit(Caller caller, long len) {
        requireCapability(caller, "init_module");
        Modules.ImageCopy copy = modules.beginInit(caller.uid(), len);
        return new ImageUpload() {
            @Override
            public int put(byte[] data, int from) {
                return copy.put(data, from);
            }

            @Override
            public long missing() {
                return copy.missing();
            }

            @Override
            public void load(String params) {
                modules.initModule(copy, params);
            }

            @Override
            public void close() {
                copy.close();
            }
        };
    }

    @Override
    public String figures() {
        return modules.memoryFigures();
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
