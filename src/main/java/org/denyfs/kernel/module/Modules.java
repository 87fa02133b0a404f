package org.denyfs.kernel.module;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.Compression;

/**
 * The emulated kernel module loader: finit_module(2), init_module(2) and delete_module(2) over real
 * module images, with the module table, the duplicate checks, the "used by" references, the
 * statistics of kernel/module/stats.c and the /proc and /sys views, all in user space.
 *
 * <h2>Architecture</h2>
 * <pre>
 *  finitModule ── policy: PLAIN │ EXCLUSIVE (ModuleFile.exclusiveDenyWrites) │ EXCLUSIVE_READ (the same, around
 *       │                  the read only) │ IDEMPOTENT (IdempotentLoads)
 *       │
 *       ├─ KernelReadFile: deny/allow around the read, file -> OffHeap region (counted memory)
 *       ├─ ModuleDecompress (COMPRESSED_FILE): region -> new region
 *       └─ LoadModule: ModuleImage.parse ─ early checks ─ ModuleTable (UNFORMED) ─ ResolveSymbol
 *                      ─ COMING ─ free the copy ─ init (Config.init) ─ LIVE │ GOING + freed
 *                      (its waits on module_wq: on the caller's thread, or parked without one)
 *  beginInit ───────── the checks, then the kernel's copy (OffHeap, charged to the caller) filled as it arrives
 *  initModule ──────── that copy -> LoadModule (no exclusion of any kind)
 *  deleteModule ────── DeleteModule
 *  views ───────────── ProcModules (/proc/modules, /sys/module/NAME/*), ModuleStats (debugfs stats),
 *                      LoadCalls (results per file), InflightTrace (bytes in flight over time)
 * </pre>
 * Each step keeps the kernel's order of checks and errno (see REFERENCE.md sections 3-6), and every
 * failure is an {@link ErrnoException} carrying that errno.
 *
 * <h2>Which lock guards what</h2>
 * <ul>
 *   <li>{@code ModuleTable.mutex} (module_mutex): the module list and every module's state,
 *       refcount, users and taints. Held only for bookkeeping; released while sleeping on
 *       module_wq (duplicate waits, symbol waits). Never held while reading a file, decompressing,
 *       running init, or joining an idempotent group.</li>
 *   <li>{@code DupFailures} monitor: the "Duplicate failed modules" list. A leaf, taken under
 *       module_mutex when recording.</li>
 *   <li>{@code IdempotentLoads.lock} (idem_lock): the idempotent groups. A leaf.</li>
 *   <li>The inode's write count: lock-free, owned by core, reached through {@link ModuleFile}'s
 *       denies so that the daemon lists them as holds. The exclusive deny is held across
 *       the whole load (EXCLUSIVE), never while a lock of this package is held.</li>
 *   <li>{@code ModuleStats}, {@code LoadCalls}: atomics only. {@code OffHeap}: a leaf lock that
 *       orders its counters (in all and per uid, checked against {@link MemoryLimits}) and its
 *       timeline, held for a few instructions.</li>
 * </ul>
 * A thread interrupt stands for a signal: interruptible waits end in EINTR.
 *
 * <h2>What is not emulated</h2>
 * CAP_SYS_MODULE (the caller's identity is the daemon's business: {@link FinitModule} checks
 * it; {@link #disableLoading()} is modules_disabled), the cryptography of signature verification
 * ({@link ModuleSigCheck} parses a signature strictly and checks its key id against the
 * keyring, but has no key material to check
 * the signature bytes with), the struct module size check, relocation, module parameters' values
 * (unknown parameters are ignored, as the kernel does with a warning), and the exit function's
 * running time.
 */
public final class Modules {
    /** Ignore symbol version hashes (finit_module flag). */
    public static final int MODULE_INIT_IGNORE_MODVERSIONS = 1;
    /** Ignore the kernel version magic (finit_module flag). */
    public static final int MODULE_INIT_IGNORE_VERMAGIC = 2;
    /** The file is compressed; the kernel decompresses it (finit_module flag, v6.4). */
    public static final int MODULE_INIT_COMPRESSED_FILE = 4;
    /** delete_module flag: what kmod always passes. */
    public static final int O_NONBLOCK = 04000;
    /** delete_module flag: force (rmmod -f). */
    public static final int O_TRUNC = 01000;

    private static final int ALL_FLAGS = MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC | MODULE_INIT_COMPRESSED_FILE;

    /**
     * A module's init function. Returning is success; throwing {@link ErrnoException} is the init
     * returning that error (the module goes GOING and is freed).
     */
    @FunctionalInterface
    public interface ModuleInit {
        void init(String module, String params) throws InterruptedException;
    }

    private final Config config;
    private final OffHeap heap;
    private final ModuleStats stats = new ModuleStats();
    private final LoadCalls calls = new LoadCalls();
    final ModuleTable table = new ModuleTable();
    final IdempotentLoads idempotent = new IdempotentLoads();
    private final LoadModule loader;
    private final DeleteModule deleter;
    private final ProcModules views;
    private volatile Policy policy;
    private volatile boolean modulesDisabled;

    private Modules(Builder b) {
        this.config = new Config(b);
        this.heap = new OffHeap(b.memory);
        this.policy = b.policy;
        this.loader = new LoadModule(config, table, stats);
        this.deleter = new DeleteModule(table, loader, config.forceUnload);
        this.views = new ProcModules(table);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * finit_module(2). Returns when the module is LIVE; otherwise throws with the kernel's errno:
     * EPERM (loading disabled), EINVAL (unknown flags, not a regular file), EBADF (O_PATH or not
     * readable), ETXTBSY (writers, or a concurrent load under EXCLUSIVE, a concurrent read under EXCLUSIVE_READ), read errors (EINVAL empty,
     * EFBIG, EIO), decompression errors, ENOEXEC, EEXIST/EBUSY (duplicates), ENOENT/EINVAL/EBUSY
     * (symbols), or whatever the module's init returns.
     */
    public void finitModule(ModuleFile file, String params, int flags) {
        Objects.requireNonNull(file, "file");
        calls.account(LoadCalls.FINIT, file.name(), () -> finitByPolicy(file, params, flags, null));
    }

    /**
     * finit_module(2) that waits for no other load on this thread: as {@link #finitModule}, but
     * where the call would wait for another load it returns at once a future that completes with
     * the call's result, and no thread is held for the wait:
     * <ul>
     *   <li>a caller that joins an idempotent group another caller loads for gets that load's
     *       result (idempotent_wait_for_completion());</li>
     *   <li>a load that meets a same-name module still loading (either duplicate check), or needs a
     *       symbol of a module still COMING (resolve_symbol_wait()), parks on module_wq and goes on,
     *       on a resumer thread, once the wait is over; the file's exclusive deny (EXCLUSIVE) and an
     *       idempotent group it loads for are held until then.</li>
     * </ul>
     * Everything else runs here before it returns; the future is then already done. Failures
     * complete the future exceptionally with the {@link ErrnoException}; the call is counted in the
     * calls table when it completes.
     */
    public CompletableFuture<Void> finitModuleLater(ModuleFile file, String params, int flags) {
        Objects.requireNonNull(file, "file");
        long cpu = LoadCalls.threadCpuNanos();
        // the name now: by the time the load ends the caller's descriptor may be closed and reused
        String name = file.name();
        Later waiting = new Later();
        Errno error = Errno.EIO;
        try {
            finitByPolicy(file, params, flags, waiting);
            error = null;
        } catch (ErrnoException e) {
            error = e.errno();
            return CompletableFuture.failedFuture(e);
        } finally {
            if (error != null || waiting.isEmpty()) {
                calls.record(LoadCalls.FINIT, name, error, LoadCalls.threadCpuNanos() - cpu);
            }
        }
        if (waiting.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long spent = LoadCalls.threadCpuNanos() - cpu;
        return waiting.get(0).whenComplete((ok, failure) -> calls.record(LoadCalls.FINIT, name,
                failure == null ? null : errnoOf(failure), spent + waiting.resumedCpuNanos.get()));
    }

    /**
     * The futures of a {@link #finitModuleLater} call that waits (at most one), and the CPU time its
     * load spends on other threads once resumed, which the calls table adds to the caller's.
     */
    private static final class Later extends ArrayList<CompletableFuture<Void>> {
        final java.util.concurrent.atomic.AtomicLong resumedCpuNanos = new java.util.concurrent.atomic.AtomicLong();

        /**
         * If the call added its future at or after {@code since} (its load waits), chains
         * {@code action} after that future and says true: what the caller holds is given back then.
         */
        boolean afterWait(int since, java.util.function.BiConsumer<Void, Throwable> action) {
            if (size() <= since) {
                return false;
            }
            set(since, get(since).whenComplete(action));
            return true;
        }
    }

    private static Errno errnoOf(Throwable t) {
        return asErrnoException(t).errno();
    }

    /** {@code waiting} null: a waiter blocks; else a waiter's future is added to it and the call returns. */
    private void finitByPolicy(ModuleFile file, String params, int flags, Later waiting) {
        mayInitModule();
        if ((flags & ~ALL_FLAGS) != 0) {
            throw new ErrnoException(Errno.EINVAL, "finit_module: unknown flags 0x" + Integer.toHexString(flags));
        }
        switch (policy) {
            case PLAIN:
                finitPlain(file, params, flags, waiting);
                break;
            case EXCLUSIVE:
                finitExclusive(file, params, flags, waiting);
                break;
            case EXCLUSIVE_READ:
                finitExclusiveRead(file, params, flags, waiting);
                break;
            case IDEMPOTENT:
                finitIdempotent(file, params, flags, waiting);
                break;
            default:
                throw new IllegalStateException(policy.name());
        }
    }

    /** v6.4-rc3: kernel_read_file_from_fd() does the handle checks, so their failures count as kreads. */
    private void finitPlain(ModuleFile file, String params, int flags, Later waiting) {
        OffHeap.Region buf;
        try {
            checkReadable(file);
            buf = KernelReadFile.read(file, heap);
        } catch (ErrnoException e) {
            stats.kreadFailed(0);
            throw e;
        }
        loadFromBuffer(buf, params, flags, waiting);
    }

    /**
     * The seed table's "exclusive deny inside the file read only": as {@link #finitPlain}, but the
     * read's own deny is exclusive, so a concurrent reader's ETXTBSY is a kread failure, and
     * nothing is held once load_module() starts.
     */
    private void finitExclusiveRead(ModuleFile file, String params, int flags, Later waiting) {
        OffHeap.Region buf;
        try {
            checkReadable(file);
            buf = KernelReadFile.readExclusively(file, heap);
        } catch (ErrnoException e) {
            stats.kreadFailed(0);
            throw e;
        }
        loadFromBuffer(buf, params, flags, waiting);
    }

    /**
     * 9828ed3f69: prepare_file_for_module_load(), then exclusive deny until everything is over,
     * a load that waits without a thread included: the deny goes when its future completes.
     */
    private void finitExclusive(ModuleFile file, String params, int flags, Later waiting) {
        checkReadable(file);
        if (!file.regularFile()) {
            throw new ErrnoException(Errno.EINVAL, "finit_module: not a regular file");
        }
        if (file.openedForWrite()) {
            throw new ErrnoException(Errno.ETXTBSY, "exclusive_deny_write_access: the module's own handle is open for write");
        }
        ModuleFile.Denial whole = file.exclusiveDenyWrites();
        int waits = waiting == null ? 0 : waiting.size();
        try {
            initModuleFromFile(file, params, flags, waiting);
        } finally {
            if (waiting == null || !waiting.afterWait(waits, (ok, failure) -> whole.close())) {
                whole.close();
            }
        }
    }

    /** v6.5 idempotent_init_module(): EBADF first, then join the inode's group. */
    private void finitIdempotent(ModuleFile file, String params, int flags, Later waiting) {
        checkReadable(file);
        IdempotentLoads.Entry me = idempotent.join(file.inode());
        if (!me.first) {
            if (waiting == null) {
                idempotent.awaitResult(me);
            } else {
                waiting.add(idempotent.result(me));
            }
            return;
        }
        ErrnoException result = new ErrnoException(Errno.EIO, "finit_module: the loading caller failed unexpectedly");
        int waits = waiting == null ? 0 : waiting.size();
        try {
            initModuleFromFile(file, params, flags, waiting);
            result = null;
        } catch (ErrnoException e) {
            result = e;
            throw e;
        } finally {
            // a load that waits without a thread: the group's result is its outcome
            if (result != null || waiting == null || !waiting.afterWait(waits, (ok, failure) -> idempotent.complete(me,
                    failure == null ? null : asErrnoException(failure)))) {
                idempotent.complete(me, result);
            }
        }
    }

    /** init_module_from_file(): read (counted as kread on failure), then as for a buffer. */
    private void initModuleFromFile(ModuleFile file, String params, int flags, Later waiting) {
        OffHeap.Region buf;
        try {
            buf = KernelReadFile.read(file, heap);
        } catch (ErrnoException e) {
            stats.kreadFailed(0);
            throw e;
        }
        loadFromBuffer(buf, params, flags, waiting);
    }

    /**
     * The COMPRESSED_FILE step, then load_module(). Takes ownership of {@code buf}. With
     * {@code waiting} null the load waits on this thread; otherwise a load that must wait for
     * another one parks, and its future is added to {@code waiting}.
     */
    private void loadFromBuffer(OffHeap.Region buf, String params, int flags, Later waiting) {
        long compressedLen = 0;
        OffHeap.Region image = buf;
        if ((flags & MODULE_INIT_COMPRESSED_FILE) != 0) {
            compressedLen = buf.length();
            try {
                image = ModuleDecompress.decompress(heap, buf, config.decompression);
            } catch (ErrnoException e) {
                stats.decompressFailed(compressedLen);
                throw e;
            } finally {
                buf.close(); // "compressed data is no longer needed"
            }
        }
        if (waiting == null) {
            loader.load(image, compressedLen, params, flags);
            return;
        }
        CompletableFuture<Void> load = loader.loadLater(image, compressedLen, params, flags, waiting.resumedCpuNanos::addAndGet);
        if (!load.isDone()) {
            waiting.add(load);
            return;
        }
        try {
            load.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static ErrnoException asErrnoException(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof ErrnoException e ? e : new ErrnoException(Errno.EIO, "finit_module: " + c);
    }

    /**
     * init_module(2) of an image already in memory, charged to uid 0: {@link #beginInit}, the copy,
     * then {@link #initModule(ImageCopy, String)}.
     */
    public void initModule(ByteBuffer image, String params) {
        Objects.requireNonNull(image, "image");
        ByteBuffer src = image.duplicate();
        ImageCopy copy = beginInit(0, src.remaining());
        copy.fill(src);
        initModule(copy, params);
    }

    /**
     * init_module(2), first half: may_init_module() and copy_module_from_user()'s checks and its
     * vmalloc() of {@code len} bytes, charged to {@code uid}, before any byte of the image has come:
     * the image is then copied in as it arrives (the control file streams it). Fails with EPERM
     * (loading disabled), ENOEXEC (shorter than an ELF header) or ENOMEM (over a {@link MemoryLimits}
     * figure, or no memory left); a failure ends the call, counted as a kread failure of {@code len}
     * bytes, as the kernel counts a failed copy.
     */
    public ImageCopy beginInit(int uid, long len) {
        long cpu = LoadCalls.threadCpuNanos();
        try {
            mayInitModule();
            if (len < 64) {
                throw new ErrnoException(Errno.ENOEXEC, "init_module: " + len + " bytes is shorter than an ELF header");
            }
            if (len > heap.limits().maxImage()) {
                throw new ErrnoException(Errno.ENOMEM, "init_module: vmalloc of " + len + " bytes: over max_module_bytes="
                        + heap.limits().maxImage());
            }
            return new ImageCopy(heap.allocate((int) len, uid));
        } catch (ErrnoException e) {
            stats.kreadFailed(len);
            calls.record(LoadCalls.INIT, "-", e.errno(), LoadCalls.threadCpuNanos() - cpu);
            throw e;
        }
    }

    /**
     * init_module(2), second half: loads the module in a complete {@code copy} (which it takes over
     * and frees), with no file and no exclusion of any kind.
     */
    public void initModule(ImageCopy copy, String params) {
        Objects.requireNonNull(copy, "copy");
        if (!copy.complete()) {
            throw new IllegalStateException("init_module of an image " + copy.missing() + " bytes short");
        }
        OffHeap.Region region = copy.handOver();
        calls.account(LoadCalls.INIT, "-", () -> loader.load(region, 0, params, 0));
    }

    /**
     * The kernel's copy of an init_module image while it is being copied in: charged to the caller's
     * budget from {@link #beginInit} until {@link #initModule(ImageCopy, String)} takes it or
     * {@link #close()} drops it. Not thread-safe: it belongs to the request streaming it.
     */
    public final class ImageCopy implements AutoCloseable {
        private OffHeap.Region region;
        private int filled;

        private ImageCopy(OffHeap.Region region) {
            this.region = region;
        }

        /** Copies up to {@link #missing()} bytes of {@code data[from..]}; returns how many it took. */
        public int put(byte[] data, int from) {
            int n = (int) Math.min(missing(), data.length - from);
            region.buffer().position(filled).put(data, from, n);
            filled += n;
            return n;
        }

        private void fill(ByteBuffer src) {
            region.buffer().put(src);
            filled = region.size();
        }

        /** Bytes still to come. */
        public long missing() {
            return region == null ? 0 : region.size() - filled;
        }

        public boolean complete() {
            return region != null && filled == region.size();
        }

        private OffHeap.Region handOver() {
            OffHeap.Region r = region;
            region = null;
            return r;
        }

        /**
         * Drops a copy that was never handed to initModule (its handle went mid-upload): the memory
         * is freed now, and the call ends as the kernel's does when copy_from_user() fails, EFAULT
         * and a kread failure. Idempotent; nothing once handed over.
         */
        @Override
        public void close() {
            OffHeap.Region r = region;
            if (r != null) {
                region = null;
                r.close();
                stats.kreadFailed(r.size());
                calls.record(LoadCalls.INIT, "-", Errno.EFAULT, 0);
            }
        }
    }

    /** delete_module(2); {@code flags} as kmod passes them (O_NONBLOCK, plus O_TRUNC to force). */
    public void deleteModule(String name, int flags) {
        Objects.requireNonNull(name, "name");
        if (modulesDisabled) {
            throw new ErrnoException(Errno.EPERM, "delete_module: module loading and unloading is disabled");
        }
        deleter.delete(name, flags);
    }

    /** Writing 1 to /proc/sys/kernel/modules_disabled: EPERM for every later load or unload, for good. */
    public void disableLoading() {
        modulesDisabled = true;
    }

    public Policy policy() {
        return policy;
    }

    /** Switches policy for calls that start from now on; calls in progress finish under their own. */
    public void setPolicy(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The emulated kernel's vermagic, e.g. "6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions ". */
    public String vermagic() {
        return config.vermagic;
    }

    /** uname -r of the emulated kernel: the vermagic's first word. */
    public String kernelRelease() {
        int sp = config.vermagic.indexOf(' ');
        return sp < 0 ? config.vermagic : config.vermagic.substring(0, sp);
    }

    /** The text of debugfs modules/stats. */
    public String stats() {
        return stats.text();
    }

    /** "Virtual mem wasted bytes" as a number. */
    public long wastedBytes() {
        return stats.wastedBytes();
    }

    /** The text of /proc/modules. */
    public String procModules() {
        return views.procModules();
    }

    /** /sys/module/NAME/initstate ("live\n", "coming\n", "going\n"), empty if there is no such directory. */
    public Optional<String> initstate(String name) {
        return views.initstate(name);
    }

    /** /sys/module/NAME/refcnt ("1\n"). */
    public Optional<String> refcnt(String name) {
        return views.refcnt(name);
    }

    /** The entry names of /sys/module/NAME/holders/. */
    public Optional<List<String>> holders(String name) {
        return views.holders(name);
    }

    /**
     * /sys/module/compression (kernel/module/decompress.c): the format module_decompress() undoes,
     * "xz\n", "zstd\n" or "gzip\n"; empty for a kernel without MODULE_DECOMPRESS, which has no such file.
     */
    public Optional<String> compression() {
        return Optional.ofNullable(config.decompression).map(c -> c.sysfsName() + "\n");
    }

    /** The loadable modules that have a /sys/module directory, newest first. */
    public List<String> moduleNames() {
        return views.names();
    }

    /** Bytes of module images held in off-heap buffers right now (uploads, reads and decompressions in flight). */
    public long bytesInFlight() {
        return heap.inFlight();
    }

    /** {@link #bytesInFlight()} charged to the callers of {@code uid}. */
    public long bytesInFlight(int uid) {
        return heap.inFlight(uid);
    }

    /** The memory limits of this kernel. */
    public MemoryLimits memoryLimits() {
        return heap.limits();
    }

    /** The limits and the bytes in flight now, as the control file's status reply shows them. */
    public String memoryFigures() {
        return heap.limits().figures() + " inflight_bytes=" + heap.inFlight() + " inflight_bytes_peak=" + heap.peak();
    }

    /**
     * Loads parked now on module_wq without a thread (a duplicate check or a symbol of a COMING
     * module, reached through {@link #finitModuleLater}).
     */
    public int parkedLoads() {
        return table.parkedLoads();
    }

    /** The most {@link #bytesInFlight()} ever reached. */
    public long peakBytesInFlight() {
        return heap.peak();
    }

    /**
     * The text of {@code .denyfs/inflight}: every change of {@link #bytesInFlight()} since the start,
     * one "CLOCK_MONOTONIC_NS\tBYTES" line each, after a comment line.
     */
    public String inflightTimeline() {
        return heap.traceText();
    }

    /**
     * The text of {@code .denyfs/calls}: finit_module and init_module calls per module file and
     * result (0 or the errno's name), with their count and the CPU microseconds they used.
     */
    public String callsTable() {
        return calls.text();
    }

    /**
     * The text of {@code .denyfs/calltrace}: every finit_module and init_module call as it ended, one
     * "CLOCK_MONOTONIC_NS\tCALL\tFILE\tRESULT" line each, after a comment line.
     */
    public String callTrace() {
        return calls.traceText();
    }

    private void mayInitModule() {
        if (modulesDisabled) {
            throw new ErrnoException(Errno.EPERM, "module loading is disabled");
        }
    }

    /** fdget() refuses O_PATH handles; FMODE_READ is required. */
    private static void checkReadable(ModuleFile file) {
        if (file.pathOnly() || !file.readable()) {
            throw new ErrnoException(Errno.EBADF, "finit_module: handle is " + (file.pathOnly() ? "O_PATH" : "not open for reading"));
        }
    }

    /** The build-time configuration of the emulated kernel; immutable. */
    static final class Config {
        final String vermagic;
        final VmlinuxSymbols vmlinux;
        final ModuleInit init;
        final Duration symbolWait;
        final boolean forceLoad;
        final boolean forceUnload;
        final Set<String> blacklist;
        /** The one format module_decompress() undoes (CONFIG_MODULE_COMPRESS_*), or null without MODULE_DECOMPRESS. */
        final Compression decompression;
        /** The key ids (modinfo's sig_key) of the built-in keyring. */
        final Set<String> trustedKeys;

        private Config(Builder b) {
            this.vermagic = b.vermagic;
            this.vmlinux = b.vmlinux;
            Duration d = b.initDuration;
            this.init = b.init != null ? b.init : (module, params) -> sleepUninterruptibly(d);
            this.symbolWait = b.symbolWait;
            this.forceLoad = b.forceLoad;
            this.forceUnload = b.forceUnload;
            this.blacklist = Set.copyOf(b.blacklist);
            this.decompression = b.decompression;
            this.trustedKeys = Set.copyOf(b.trustedKeys);
        }

        /** A module's init is kernel code: a signal does not cut it short. */
        private static void sleepUninterruptibly(Duration d) {
            long deadline = System.nanoTime() + d.toNanos();
            boolean interrupted = false;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Configures an emulated kernel. Defaults: vermagic {@code "6.4.0-rc4 SMP preempt mod_unload
     * modversions "} (the seed commit's kernel), vmlinux {@link VmlinuxSymbols#all()}, policy
     * EXCLUSIVE, init 10 ms, symbol wait 30 s, Debian's MODULE_FORCE_LOAD=y and
     * MODULE_FORCE_UNLOAD=y, no blacklist, every decompressor.
     */
    public static final class Builder {
        private String vermagic = "6.4.0-rc4 SMP preempt mod_unload modversions ";
        private VmlinuxSymbols vmlinux = VmlinuxSymbols.all();
        private Policy policy = Policy.EXCLUSIVE;
        /**
         * 10 ms: a crypto module's init registers its algorithms and runs the crypto manager's
         * self-tests, which initcall_debug shows in the low milliseconds on an idle VM, and much
         * more under boot-time load or KASAN. Long enough that concurrent duplicates overlap, as
         * they did at boot, short enough for tests.
         */
        private Duration initDuration = Duration.ofMillis(10);
        private ModuleInit init;
        private Duration symbolWait = Duration.ofSeconds(30);
        private boolean forceLoad = true;
        private boolean forceUnload = true;
        private Set<String> blacklist = Set.of();
        private Compression decompression = Compression.XZ;
        private MemoryLimits memory = MemoryLimits.DEFAULTS;
        private Set<String> trustedKeys = Set.of();

        private Builder() {}

        /**
         * The built-in keyring: the keys (by the id modinfo shows as sig_key, e.g. "1B:A0:DB") whose
         * module signatures give sig_ok. Default none: every signed module is "with unavailable key"
         * (ENOKEY), which loads, tainted. A distribution kernel holds its own signing key.
         */
        public Builder trustedKeys(Collection<String> keyIds) {
            this.trustedKeys = Set.copyOf(keyIds);
            return this;
        }

        /** How much memory module images may take (see {@link MemoryLimits}); default {@link MemoryLimits#DEFAULTS}. */
        public Builder memoryLimits(MemoryLimits memory) {
            this.memory = Objects.requireNonNull(memory);
            return this;
        }

        /** The full vermagic string modules must carry (compare a module's .modinfo {@code vermagic=}). */
        public Builder vermagic(String vermagic) {
            this.vermagic = Objects.requireNonNull(vermagic);
            return this;
        }

        public Builder vmlinux(VmlinuxSymbols vmlinux) {
            this.vmlinux = Objects.requireNonNull(vmlinux);
            return this;
        }

        public Builder policy(Policy policy) {
            this.policy = Objects.requireNonNull(policy);
            return this;
        }

        /** How long every module's init takes (init_ms); ignored if {@link #init(ModuleInit)} is set. */
        public Builder initDuration(Duration initDuration) {
            if (initDuration.isNegative()) {
                throw new IllegalArgumentException("negative init duration");
            }
            this.initDuration = initDuration;
            return this;
        }

        /** Replaces the timed init with a function of your own (to block on a latch, or to fail). */
        public Builder init(ModuleInit init) {
            this.init = Objects.requireNonNull(init);
            return this;
        }

        /** How long a load waits for a COMING module that exports a symbol it needs (30 s in the kernel). */
        public Builder symbolWait(Duration symbolWait) {
            this.symbolWait = Objects.requireNonNull(symbolWait);
            return this;
        }

        /** CONFIG_MODULE_FORCE_LOAD: whether a missing vermagic or modversions only taints. */
        public Builder forceLoad(boolean forceLoad) {
            this.forceLoad = forceLoad;
            return this;
        }

        /** CONFIG_MODULE_FORCE_UNLOAD: whether O_TRUNC can force delete_module. */
        public Builder forceUnload(boolean forceUnload) {
            this.forceUnload = forceUnload;
            return this;
        }

        /** module_blacklist=: names refused with EPERM. */
        public Builder blacklist(Collection<String> names) {
            this.blacklist = Set.copyOf(names);
            return this;
        }

        /**
         * The one format MODULE_INIT_COMPRESSED_FILE undoes, as a kernel is built with one of
         * CONFIG_MODULE_COMPRESS_{GZIP,XZ,ZSTD} and CONFIG_MODULE_DECOMPRESS (default: xz); null is a
         * kernel without MODULE_DECOMPRESS (EOPNOTSUPP, and no /sys/module/compression).
         */
        public Builder decompression(Compression format) {
            this.decompression = format;
            return this;
        }

        public Modules build() {
            return new Modules(this);
        }
    }
}
