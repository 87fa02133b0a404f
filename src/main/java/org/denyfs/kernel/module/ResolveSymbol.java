package org.denyfs.kernel.module;

import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.ModuleImage;

/**
 * simplify_symbols()'s helpers: find_symbol(), check_version(), verify_namespace_is_imported(),
 * ref_module(), and verify_exported_symbols(); the loop over the symbols and resolve_symbol_wait()
 * are {@link LoadModule}'s, since the wait is one of a load's steps. Resolving a symbol
 * exported by another module takes a reference on that module and records the "used by" link.
 */
final class ResolveSymbol {
    private static final Logger LOG = LogManager.getLogger(ResolveSymbol.class);
    /** license_is_gpl_compatible(). */
    private static final Set<String> GPL_COMPATIBLE = Set.of(
            "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL");

    /** A found export: owner null means vmlinux. */
    private record Found(LoadedModule owner, String namespace, long crc) {}

    private final ModuleTable table;
    private final Modules.Config config;

    ResolveSymbol(ModuleTable table, Modules.Config config) {
        this.table = table;
        this.config = config;
    }

    static boolean gplCompatible(String license) {
        return license != null && GPL_COMPATIBLE.contains(license);
    }

    /** simplify_symbols()'s choice: symbol versions are checked if the module has them and the caller did not say to ignore them. */
    static boolean useVersions(LoadedModule mod, int flags) {
        return !mod.image.versions().isEmpty() && (flags & Modules.MODULE_INIT_IGNORE_MODVERSIONS) == 0;
    }

    /**
     * resolve_symbol() and the weak/unknown handling of simplify_symbols(); null on success, when
     * the reference on the owner is taken. EBUSY while the owner is still COMING: resolve_symbol_wait()
     * (in {@link LoadModule}) waits and asks again. Caller holds mutex.
     */
    ErrnoException resolveSymbol(LoadedModule mod, ModuleImage.Undefined sym, boolean useVersions) {
        Found f = findSymbol(sym.name(), gplCompatible(mod.image.license()));
        if (f == null) {
            if (sym.weak()) {
                return null;
            }
            LOG.warn("{}: Unknown symbol {} (err -2)", mod.name, sym.name());
            return new ErrnoException(Errno.ENOENT, mod.name + ": Unknown symbol " + sym.name());
        }
        if (!checkVersion(mod, sym.name(), f.crc, useVersions)) {
            return new ErrnoException(Errno.EINVAL, mod.name + ": disagrees about version of symbol " + sym.name());
        }
        if (!f.namespace.isEmpty() && !mod.image.modinfo("import_ns").contains(f.namespace)) {
            return new ErrnoException(Errno.EINVAL, mod.name + ": module uses symbol " + sym.name()
                    + " from namespace " + f.namespace + ", but does not import it");
        }
        return refModule(mod, f.owner);
    }

    /** find_symbol(): LIVE, COMING and GOING modules (never UNFORMED), newest first, then vmlinux. Caller holds mutex. */
    private Found findSymbol(String name, boolean gplOk) {
        for (LoadedModule m : table.list()) {
            if (m.state == ModuleState.UNFORMED) {
                continue;
            }
            for (ModuleImage.Export e : m.image.exports()) {
                if (e.name().equals(name) && (gplOk || !e.gpl())) {
                    return new Found(m, e.namespace(), e.crc());
                }
            }
        }
        VmlinuxSymbols.Sym s = config.vmlinux.lookup(name);
        if (s != null && (gplOk || !s.gpl())) {
            return new Found(null, s.namespace(), s.crc());
        }
        return null;
    }

    /** check_version(). Caller holds mutex. */
    private boolean checkVersion(LoadedModule mod, String name, long crc, boolean useVersions) {
        if (crc < 0) {
            return true; // the exporter has no CRCs: nothing to compare
        }
        if (!useVersions) {
            // "No versions at all? modprobe --force does this." -> try_to_force_load()
            if (config.forceLoad) {
                mod.taints.add(LoadedModule.Taint.FORCED);
                return true;
            }
            return false;
        }
        for (ModuleImage.Version v : mod.image.versions()) {
            if (v.name().equals(name)) {
                return (v.crc() & 0xffffffffL) == (crc & 0xffffffffL);
            }
        }
        return true; // "no symbol version for": warned once and let go
    }

    /** ref_module() with strong_try_module_get(). Caller holds mutex. */
    private static ErrnoException refModule(LoadedModule a, LoadedModule b) {
        if (b == null || a.targets.contains(b)) {
            return null;
        }
        if (b.state == ModuleState.COMING) {
            return new ErrnoException(Errno.EBUSY, a.name + ": " + b.name + " is still initialising");
        }
        if (b.state != ModuleState.LIVE) {
            return new ErrnoException(Errno.ENOENT, a.name + ": " + b.name + " is going away");
        }
        b.refcnt++;
        b.sources.add(0, a);
        a.targets.add(b);
        return null;
    }

    /** verify_exported_symbols(): no export may shadow a loaded module's or vmlinux's. Caller holds mutex. */
    void verifyExportedSymbols(LoadedModule mod) {
        for (ModuleImage.Export e : mod.image.exports()) {
            if (config.vmlinux.claims(e.name())) {
                throw new ErrnoException(Errno.ENOEXEC, mod.name + ": exports duplicate symbol " + e.name() + " (owned by kernel)");
            }
            for (LoadedModule m : table.list()) {
                if (m == mod || m.state == ModuleState.UNFORMED) {
                    continue;
                }
                for (ModuleImage.Export other : m.image.exports()) {
                    if (other.name().equals(e.name())) {
                        throw new ErrnoException(Errno.ENOEXEC, mod.name + ": exports duplicate symbol " + e.name()
                                + " (owned by " + m.name + ")");
                    }
                }
            }
        }
    }

    /** module_unload_free(): drops every reference {@code mod} took. Caller holds mutex. */
    static void releaseTargets(LoadedModule mod) {
        for (LoadedModule t : mod.targets) {
            t.sources.remove(mod);
            t.refcnt--;
        }
        mod.targets.clear();
    }
}
