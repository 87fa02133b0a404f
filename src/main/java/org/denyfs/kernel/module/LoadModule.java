package org.denyfs.kernel.module;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
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
 *
 * <p>The load waits where the kernel's does: in both duplicate checks, for a same-name module
 * still loading, and in resolve_symbol_wait(), for a COMING module that exports a symbol it needs.
 * {@link #load} waits on its caller's thread; {@link #loadLater} parks without one.
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
     * Loads the module in {@code copy} and runs its init, waiting on this thread wherever the
     * kernel's load waits (interruptibly). Takes ownership of {@code copy}: it is freed before init
     * runs, as load_module() frees its copy before do_init_module().
     *
     * @param compressedLen the size before decompression, or 0 when the image was not compressed
     */
    void load(OffHeap.Region copy, long compressedLen, String params, int flags) {
        Load load = new Load(copy, compressedLen, params, flags);
        for (ModuleTable.Wait wait = load.form(); wait != null; wait = load.form()) {
            load.resume(table.await(wait));
        }
        load.init();
    }

    /**
     * As {@link #load}, but no thread is held while the load waits for another one (a same-name
     * module still loading, a COMING module that exports a symbol it needs): the load parks on
     * module_wq and goes on, on a resumer thread, once the wait is over; if it gets as far as its
     * module's init, that runs on a thread of its own, as it would on its caller's, so no init waits
     * for another. The future is done when this returns unless the load waits; it completes
     * exceptionally with the call's {@link ErrnoException}.
     *
     * @param resumedCpu told the CPU time the load spends on other threads than this one, before
     *     the future completes
     */
    CompletableFuture<Void> loadLater(OffHeap.Region copy, long compressedLen, String params, int flags, LongConsumer resumedCpu) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        proceed(new Load(copy, compressedLen, params, flags), null, result, resumedCpu);
        return result;
    }

    /**
     * Runs {@code load} up to its next park, or to its end: from the start on the caller's thread
     * ({@code outcome} null), or resumed on a resumer thread with how its wait ended.
     */
    private void proceed(Load load, ModuleTable.Outcome outcome, CompletableFuture<Void> result, LongConsumer resumedCpu) {
        boolean resumed = outcome != null;
        long cpu = resumed ? LoadCalls.threadCpuNanos() : 0;
        boolean formed = false;
        Throwable failure = null;
        try {
            if (resumed) {
                load.resume(outcome);
            }
            for (ModuleTable.Wait wait = load.form(); wait != null; wait = load.form()) {
                ModuleTable.Outcome now = table.park(wait, later -> proceed(load, later, result, resumedCpu));
                if (now == null) {
                    break; // parked: a resumer thread goes on
                }
                load.resume(now);
            }
            formed = load.formed();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        if (resumed) {
            resumedCpu.accept(LoadCalls.threadCpuNanos() - cpu); // before the result, which the calls table reads
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        } else if (formed && !resumed) {
            runInit(load, result, null);
        } else if (formed) {
            table.startInit(() -> runInit(load, result, resumedCpu));
        }
    }

    /** do_init_module() of a formed load, then the call's end; {@code resumedCpu} null on the caller's own thread. */
    private void runInit(Load load, CompletableFuture<Void> result, LongConsumer resumedCpu) {
        long cpu = resumedCpu == null ? 0 : LoadCalls.threadCpuNanos();
        Throwable failure = null;
        try {
            load.init();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        if (resumedCpu != null) {
            resumedCpu.accept(LoadCalls.threadCpuNanos() - cpu);
        }
        if (failure == null) {
            result.complete(null);
        } else {
            result.completeExceptionally(failure);
        }
    }

    /** Where a {@link Load} is. */
    private enum Step {
        /** module_sig_check(), elf_validity_cache_copy(), early_mod_check() up to its duplicate check. */
        CHECKS,
        /** early_mod_check()'s module_patient_check_exists(). */
        EARLY_DUPLICATE,
        /** add_unformed_module(). */
        ADD_UNFORMED,
        /** simplify_symbols(), one symbol at a time, then complete_formation(). */
        SYMBOLS,
        /** The copy is freed; do_init_module(). */
        INIT
    }

    /**
     * One load_module() call, as steps that run until the load is over or must wait: the one
     * implementation of the load, which {@link #load} drives on its thread and {@link #loadLater}
     * without one. {@link #form} returns what to wait for; the driver waits, tells {@link #resume}
     * how the wait ended, and calls it again until it returns null; then {@link #init}. Used by one
     * thread at a time.
     */
    private final class Load {
        private final OffHeap.Region copy;
        private final long compressedLen;
        private final String params;
        private final int flags;
        private Step step = Step.CHECKS;
        /** The image's length as the statistics count it: the signature's is cut off once it is known. */
        private long len;
        private LoadedModule mod;
        /** A duplicate check's wait is over: the check ends the load now, whatever it finds. */
        private boolean duplicateWaited;
        /** The symbol SYMBOLS is at, and whether it waits for that symbol's COMING owner. */
        private int symbol;
        private boolean symbolWaits;
        /** simplify_symbols()'s choice for this module and these flags, known once the image is parsed. */
        private boolean useVersions;
        /** The symbol's last resolution, set by every evaluation of the wait's condition (mutex held). */
        private ErrnoException symbolResult;
        /** How the last wait ended. */
        private ModuleTable.Outcome outcome;

        Load(OffHeap.Region copy, long compressedLen, String params, int flags) {
            this.copy = copy;
            this.compressedLen = compressedLen;
            this.params = params == null ? "" : params;
            this.flags = flags;
            this.len = copy.buffer().limit();
        }

        void resume(ModuleTable.Outcome how) {
            this.outcome = how;
        }

        /**
         * Runs up to the next wait (returned) or until the module is COMING and the copy is freed
         * (null); a failure is thrown, counted and cleaned up, the copy freed.
         */
        ModuleTable.Wait form() {
            ModuleTable.Wait wait;
            try {
                wait = formSteps();
            } catch (RuntimeException | Error e) {
                copy.close();
                throw e;
            }
            if (wait == null) {
                copy.close();
                step = Step.INIT;
            }
            return wait;
        }

        /** {@link #form} has returned null: the module is COMING, its init is next. */
        boolean formed() {
            return step == Step.INIT;
        }

        /** do_init_module(), once {@link #form} has returned null. */
        void init() {
            if (!formed()) {
                throw new IllegalStateException("init before the module is formed");
            }
            doInitModule(mod, params);
        }

        /** Everything before init: a wait, or null once the module is COMING. */
        private ModuleTable.Wait formSteps() {
            try {
                if (step == Step.CHECKS) {
                    checks();
                    step = Step.EARLY_DUPLICATE;
                }
                if (step == Step.EARLY_DUPLICATE) {
                    ModuleTable.Wait wait = patientCheckExists(DupFailures.Reason.BECOMING, false);
                    if (wait != null) {
                        return wait;
                    }
                    step = Step.ADD_UNFORMED;
                }
            } catch (ErrnoException e) {
                stats.becomingFailed(len, compressedLen);
                throw e;
            }
            // layout_and_allocate(): from here on a failure wastes the copy and the layout
            try {
                if (step == Step.ADD_UNFORMED) {
                    ModuleTable.Wait wait = patientCheckExists(DupFailures.Reason.LOAD, true);
                    if (wait != null) {
                        return wait;
                    }
                    step = Step.SYMBOLS;
                }
                try {
                    List<ModuleImage.Undefined> undefined = mod.image.undefined();
                    while (symbol < undefined.size()) {
                        ModuleTable.Wait wait = resolveSymbolWait(undefined.get(symbol));
                        if (wait != null) {
                            return wait;
                        }
                        symbol++;
                    }
                    completeFormation(mod);
                } catch (ErrnoException e) {
                    freeModule(mod);
                    throw e;
                }
            } catch (ErrnoException e) {
                stats.loadFailed(len, compressedLen);
                throw e;
            }
            return null;
        }

        private void checks() {
            ByteBuffer buf = copy.buffer();
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
            useVersions = ResolveSymbol.useVersions(mod, flags);
            earlyModCheck(mod, flags, sig.sigOk());
        }

        /**
         * module_patient_check_exists(): a same-name module still UNFORMED or COMING is waited for
         * (interruptibly); then EEXIST if it is LIVE, EBUSY otherwise (GOING, or gone meanwhile).
         * Every call that finds one records it for "Duplicate failed modules". With no such module
         * and {@code add} (add_unformed_module()), this one joins the list as UNFORMED.
         */
        private ModuleTable.Wait patientCheckExists(DupFailures.Reason reason, boolean add) {
            String name = mod.name;
            table.mutex.lock();
            try {
                LoadedModule old = table.find(name, true);
                if (!duplicateWaited) {
                    if (old == null) {
                        if (add) {
                            mod.state = ModuleState.UNFORMED;
                            mod.refcnt = 1; // module_unload_init(): held during initialization
                            table.addFirst(mod);
                        }
                        return null;
                    }
                    if (old.state == ModuleState.COMING || old.state == ModuleState.UNFORMED) {
                        duplicateWaited = true; // "wait in case it fails to load"
                        return new ModuleTable.Wait(() -> finishedLoading(name), ModuleTable.Wait.NO_DEADLINE);
                    }
                } else if (outcome == ModuleTable.Outcome.INTERRUPTED) {
                    throw new ErrnoException(Errno.EINTR, "interrupted while waiting for module " + name + " to finish loading");
                }
                stats.dups.record(name, reason);
                if (old != null && old.state == ModuleState.LIVE) {
                    throw new ErrnoException(Errno.EEXIST, "module " + name + " is already loaded");
                }
                throw new ErrnoException(Errno.EBUSY, "module " + name + " is " + (old == null ? "gone after a failed load" : "going away"));
            } finally {
                table.mutex.unlock();
            }
        }

        /**
         * resolve_symbol_wait(): while the owner is still COMING (EBUSY), wait on module_wq up to the
         * configured wait (30 s in the kernel), then give up with EBUSY. A signal ends the wait the
         * same way, as wait_event_interruptible_timeout() does there. Null once the symbol resolved.
         */
        private ModuleTable.Wait resolveSymbolWait(ModuleImage.Undefined sym) {
            if (!symbolWaits) {
                table.mutex.lock();
                try {
                    symbolResult = symbols.resolveSymbol(mod, sym, useVersions);
                } finally {
                    table.mutex.unlock();
                }
                if (symbolResult != null && symbolResult.errno() == Errno.EBUSY) {
                    symbolWaits = true;
                    return new ModuleTable.Wait(() -> {
                        symbolResult = symbols.resolveSymbol(mod, sym, useVersions);
                        return symbolResult == null || symbolResult.errno() != Errno.EBUSY;
                    }, System.nanoTime() + config.symbolWait.toNanos());
                }
            } else {
                symbolWaits = false;
                if (outcome != ModuleTable.Outcome.DONE) {
                    LOG.warn("{}: gave up waiting for init of the module exporting {}", mod.name, sym.name());
                }
            }
            if (symbolResult != null) {
                throw symbolResult;
            }
            return null;
        }
    }

    /** early_mod_check() up to its patient duplicate check: blacklist, check_modinfo() (vermagic, taints). */
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

    /** finished_loading(). Caller holds mutex. */
    private boolean finishedLoading(String name) {
        LoadedModule m = table.find(name, true);
        return m == null || m.state == ModuleState.LIVE || m.state == ModuleState.GOING;
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
