package org.denyfs.kernel.module;

import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * delete_module(2) (kernel/module/main.c, v6.4) with try_stop_module() and try_force_unload():
 * ENOENT if absent (UNFORMED counts as absent), EWOULDBLOCK while other modules use it, EBUSY unless
 * LIVE or if it has init but no exit (unless forced), EWOULDBLOCK while its refcount is above 0
 * unless forced with O_TRUNC on a kernel built with MODULE_FORCE_UNLOAD. The exit function runs
 * instantly; the module is then freed and waiters woken.
 */
final class DeleteModule {
    private final ModuleTable table;
    private final LoadModule loader;
    private final boolean forceUnload;

    DeleteModule(ModuleTable table, LoadModule loader, boolean forceUnload) {
        this.table = table;
        this.loader = loader;
        this.forceUnload = forceUnload;
    }

    void delete(String name, int flags) {
        table.mutex.lock();
        try {
            LoadedModule mod = table.find(name, false);
            if (mod == null) {
                throw new ErrnoException(Errno.ENOENT, "delete_module: " + name + " is not loaded");
            }
            if (!mod.sources.isEmpty()) {
                throw new ErrnoException(Errno.EWOULDBLOCK, "delete_module: " + name + " is in use by "
                        + mod.sources.get(0).name);
            }
            if (mod.state != ModuleState.LIVE) {
                throw new ErrnoException(Errno.EBUSY, "delete_module: " + name + " is "
                        + (mod.state == ModuleState.COMING ? "still initialising" : "already dying"));
            }
            if (mod.image.hasInit() && !mod.image.hasExit() && !tryForceUnload(flags)) {
                throw new ErrnoException(Errno.EBUSY, "delete_module: " + name + " has no exit function");
            }
            if (mod.refcnt != 0 && !tryForceUnload(flags)) {
                throw new ErrnoException(Errno.EWOULDBLOCK, "delete_module: " + name + " has refcount " + mod.refcnt);
            }
            mod.state = ModuleState.GOING;
            // mod->exit() would run here, outside module_mutex; ours does nothing, so free at once
            loader.release(mod);
        } finally {
            table.mutex.unlock();
        }
    }

    /** try_force_unload(): O_TRUNC, honoured only with CONFIG_MODULE_FORCE_UNLOAD. */
    private boolean tryForceUnload(int flags) {
        return forceUnload && (flags & Modules.O_TRUNC) != 0;
    }
}
