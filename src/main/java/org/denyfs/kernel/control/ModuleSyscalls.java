package org.denyfs.kernel.control;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.kernel.module.FinitModule;
import org.denyfs.kernel.module.Modules;
import org.denyfs.kernel.module.Policy;
import org.denyfs.kernel.natives.Libc;

/**
 * The module syscalls as the control file offers them, on the emulated kernel: {@code finit PATH}
 * reads the module through the one descriptor PATH was resolved into ({@link ControlPaths}, then
 * the emulated kernel's {@link FinitModule}, which the FINIT ioctl uses too); {@code init LEN} takes the
 * kernel's buffer before the image streams in; {@code delete} and {@code policy}. CAP_SYS_MODULE is
 * uid 0: any other caller gets EPERM first, as the kernel checks the capability before anything else.
 */
final class ModuleSyscalls implements ModuleCalls {
    private final Modules modules;
    private final ControlPaths paths;
    private final FinitModule finit;

    ModuleSyscalls(Modules modules, ControlPaths paths, FinitModule finit) {
        this.modules = modules;
        this.paths = paths;
        this.finit = finit;
    }

    /**
     * finit of a control-request PATH: resolved once beneath the backing root into the descriptor
     * the module is read from, so the file loaded is the one the checks saw (see ControlPaths).
     */
    @Override
    public void finit(Caller caller, String path, int flags, String params) {
        FinitModule.requireCapability(caller, "finit_module");
        try (Target file = paths.openForReading(path)) {
            finit.finit(caller, file.fd(), Libc.O_RDONLY, file.key(), flags, params);
        }
    }

    /** As {@link #finit}; the descriptor is closed once the call no longer reads it (a waiter never does). */
    @Override
    public CompletableFuture<Void> finitLater(Caller caller, String path, int flags, String params) {
        FinitModule.requireCapability(caller, "finit_module");
        try (Target file = paths.openForReading(path)) {
            return finit.finitLater(caller, file.fd(), Libc.O_RDONLY, file.key(), flags, params);
        }
    }

    @Override
    public CompletableFuture<Void> await(Caller caller, int ticket) {
        return finit.tickets().claim(caller, ticket);
    }

    /** CAP_SYS_MODULE first: nothing is allocated for a caller who may not load. */
    @Override
    public ImageUpload beginInit(Caller caller, long len) {
        FinitModule.requireCapability(caller, "init_module");
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
        return modules.memoryFigures() + " finit_waiting=" + finit.waiting() + " loads_parked=" + modules.parkedLoads();
    }

    @Override
    public void delete(Caller caller, String name, int flags) {
        FinitModule.requireCapability(caller, "delete_module");
        modules.deleteModule(name, flags);
    }

    @Override
    public String policy(String change) {
        if (change != null) {
            try {
                modules.setPolicy(Policy.of(change));
            } catch (IllegalArgumentException e) {
                throw new ErrnoException(Errno.EINVAL, e.getMessage());
            }
        }
        return modules.policy().label();
    }
}
