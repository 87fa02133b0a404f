package org.denyfs.kernel.module;

import java.nio.ByteBuffer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.ModuleImage;

/**
 * load_module() and do_init_module() (kernel/module/main.c, v6.4), from a module copy in memory to
 * a LIVE module, with the statistics of every failure:
 * <ol>
 *   <li>module_sig_check() ({@link ModuleSigCheck}: EBADMSG, EKEYREJECTED), elf_validity_cache_copy()
 *       (ENOEXEC), early_mod_check() (blacklist EPERM,
 *       vermagic ENOEXEC, then the patient duplicate check): failed_becoming, len bytes;</li>
 *   <li>layout_and_allocate(), add_unformed_module() (second duplicate check), simplify_symbols(),
 *       complete_formation(): failed_load_modules, 2 x len bytes;</li>
 *   <li>the copy is freed (free_copy()), then init runs as COMING; success makes it LIVE and counts
 *       it, failure makes it GOING and frees it with no statistic.</li>
 * </ol>
 * With MODULE_INIT_COMPRESSED_FILE the compressed size is added to either byte total.
 */
final class LoadModule {
    private static final Logger LOG = LogManager.getLogger(LoadModule.class);

    private final Modules.Config config;
    private final ModuleTable table;
    private final ModuleStats stats;
    private final ResolveSymbol symbols;

    LoadModule(Modules.Config config, ModuleTable table, ModuleStats stats) {
        this.config = config;
        this.table = table;
        this.stats = stats;
        this.symbols = new ResolveSymbol(table, config);
    }

    /**
     * Loads the module in {@code copy} and runs its init. Takes ownership of {@code copy}: it is
     * freed before init runs, as load_module() frees its copy before do_init_module().
     *
     * @param compressedLen the size before decompression, or 0 when the image was not compressed
     */
    void load(OffHeap.Region copy, long compressedLen, String params, int flags) {
        LoadedModule mod;
        try {
            mod = formModule(copy.buffer(), compressedLen, flags);
        } finally {
            copy.close();
        }
        doInitModule(mod, params == null ? "" : params);
    }

    private LoadedModule formModule(ByteBuffer buf, long compressedLen, int flags) {
        long len = buf.limit();
        LoadedModule mod;
        try {
            ModuleSigCheck.Result sig;
            try {
                sig = ModuleSigCheck.check(buf, flags, config.trustedKeys); // module_sig_check()
            } catch (ErrnoException e) {
                len = ModuleSigCheck.lengthAtFailure(buf);
                throw e;
            }
            len = sig.length();
            ModuleImage image = ModuleImage.parse(buf.duplicate().limit(sig.length())); // elf_validity_cache_copy()
            mod = new LoadedModule(image);
            earlyModCheck(mod, flags, sig.sigOk());
        } catch (ErrnoException e) {
            stats.becomingFailed(len, compressedLen);
            throw e;
        }
        // layout_and_allocate(): from here on a failure wastes the copy and the layout
        try {
            addUnformedModule(mod);
            try {
                symbols.simplifySymbols(mod, flags);
                completeFormation(mod);
            } catch (ErrnoException e) {
                freeModule(mod);
                throw e;
            }
        } catch (ErrnoException e) {
            stats.loadFailed(len, compressedLen);
            throw e;
        }
        return mod;
    }

    /** early_mod_check(): blacklist, check_modinfo() (vermagic, taints), then the patient duplicate check. */
    private void earlyModCheck(LoadedModule mod, int flags, boolean sigOk) {
        ModuleImage image = mod.image;
        if (config.blacklist.contains(mod.name)) {
            throw new ErrnoException(Errno.EPERM, "module " + mod.name + " is blacklisted");
        }
        String modmagic = (flags & Modules.MODULE_INIT_IGNORE_VERMAGIC) != 0 ? null : image.vermagic();
        boolean hasCrcs = !image.versions().isEmpty() && (flags & Modules.MODULE_INIT_IGNORE_MODVERSIONS) == 0;
        if (modmagic == null) {
            tryToForceLoad(mod, "bad vermagic");
        } else if (!sameMagic(modmagic, config.vermagic, hasCrcs)) {
            throw new ErrnoException(Errno.ENOEXEC, mod.name + ": version magic '" + modmagic
                    + "' should be '" + config.vermagic + "'");
        }
        if (!image.intree()) {
            mod.taints.add(LoadedModule.Taint.OUT_OF_TREE);
        }
        if (image.modinfoValue("staging") != null) {
            mod.taints.add(LoadedModule.Taint.STAGING);
        }
        if (!ResolveSymbol.gplCompatible(image.license())) {
            mod.taints.add(LoadedModule.Taint.PROPRIETARY);
        }
        if (!sigOk) {
            // module_augment_kernel_taints(): unsigned, unknown key or unsupported crypto
            mod.taints.add(LoadedModule.Taint.UNSIGNED);
        }
        table.mutex.lock();
        try {
            patientCheckExists(mod.name, DupFailures.Reason.BECOMING);
        } finally {
            table.mutex.unlock();
        }
    }

    /** try_to_force_load(): only a kernel built with MODULE_FORCE_LOAD lets it pass, tainted. */
    private void tryToForceLoad(LoadedModule mod, String reason) {
        if (!config.forceLoad) {
            throw new ErrnoException(Errno.ENOEXEC, mod.name + ": " + reason);
        }
        LOG.warn("{}: {}: kernel tainted.", mod.name, reason);
        mod.taints.add(LoadedModule.Taint.FORCED);
    }

    /** same_magic(): with modversions the release part is left to the CRCs and only the rest must match. */
    static boolean sameMagic(String amagic, String bmagic, boolean hasCrcs) {
        if (hasCrcs) {
            amagic = afterFirstSpace(amagic);
            bmagic = afterFirstSpace(bmagic);
        }
        return amagic.equals(bmagic);
    }

    private static String afterFirstSpace(String s) {
        int sp = s.indexOf(' ');
        return sp < 0 ? "" : s.substring(sp);
    }

    /**
     * module_patient_check_exists(): a same-name module still UNFORMED or COMING is waited for
     * (interruptibly); then EEXIST if it is LIVE, EBUSY otherwise (GOING, or gone meanwhile). Every
     * call that finds one records it for "Duplicate failed modules". Caller holds mutex.
     */
    private void patientCheckExists(String name, DupFailures.Reason reason) {
        LoadedModule old = table.find(name, true);
        if (old == null) {
            return;
        }
        if (old.state == ModuleState.COMING || old.state == ModuleState.UNFORMED) {
            table.await(() -> finishedLoading(name));
            old = table.find(name, true);
        }
        stats.dups.record(name, reason);
        if (old != null && old.state == ModuleState.LIVE) {
            throw new ErrnoException(Errno.EEXIST, "module " + name + " is already loaded");
        }
        throw new ErrnoException(Errno.EBUSY, "module " + name + " is " + (old == null ? "gone after a failed load" : "going away"));
    }

    /** finished_loading(). Caller holds mutex. */
    private boolean finishedLoading(String name) {
        LoadedModule m = table.find(name, true);
        return m == null || m.state == ModuleState.LIVE || m.state == ModuleState.GOING;
    }

    /** add_unformed_module(): the second duplicate check, then the module joins the list as UNFORMED. */
    private void addUnformedModule(LoadedModule mod) {
        table.mutex.lock();
        try {
            patientCheckExists(mod.name, DupFailures.Reason.LOAD);
            mod.state = ModuleState.UNFORMED;
            mod.refcnt = 1; // module_unload_init(): held during initialization
            table.addFirst(mod);
        } finally {
            table.mutex.unlock();
        }
    }

    /** complete_formation(): exports checked, then COMING and visible to everybody. */
    private void completeFormation(LoadedModule mod) {
        table.mutex.lock();
        try {
            symbols.verifyExportedSymbols(mod);
            mod.state = ModuleState.COMING;
            table.wakeAll();
        } finally {
            table.mutex.unlock();
        }
    }

    /** do_init_module(). */
    private void doInitModule(LoadedModule mod, String params) {
        try {
            config.init.init(mod.name, params);
        } catch (ErrnoException e) {
            initFailed(mod);
            throw e;
        } catch (InterruptedException e) {
            initFailed(mod);
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR, mod.name + ": init interrupted");
        } catch (RuntimeException | Error e) {
            initFailed(mod);
            throw e;
        }
        table.mutex.lock();
        try {
            mod.state = ModuleState.LIVE;
            mod.refcnt--; // module_put(): the init reference
            mod.initFreed = true;
            table.wakeAll();
        } finally {
            table.mutex.unlock();
        }
        stats.loaded(mod.image.totalSize(), mod.image.textSize());
    }

    /** The fail: path of do_init_module(): GOING, the init reference dropped, freed; no statistic. */
    private void initFailed(LoadedModule mod) {
        table.mutex.lock();
        try {
            mod.state = ModuleState.GOING;
            mod.refcnt--;
            release(mod);
        } finally {
            table.mutex.unlock();
        }
    }

    /** free_module() for a module that never became LIVE. */
    private void freeModule(LoadedModule mod) {
        table.mutex.lock();
        try {
            release(mod);
        } finally {
            table.mutex.unlock();
        }
    }

    /** Unlinks a module and drops its references; someone may be waiting in add_unformed_module(). Caller holds mutex. */
    void release(LoadedModule mod) {
        ResolveSymbol.releaseTargets(mod);
        table.remove(mod);
        table.wakeAll();
    }
}
