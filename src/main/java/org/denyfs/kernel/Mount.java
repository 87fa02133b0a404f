package org.denyfs.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.abi.MountTable;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.control.ControlTree;
import org.denyfs.kernel.control.DaemonFigures;
import org.denyfs.kernel.fuse.FuseLoop;
import org.denyfs.kernel.fuse.FuseOps;
import org.denyfs.kernel.module.FinitModule;
import org.denyfs.kernel.module.Modules;
import org.denyfs.kernel.module.Policy;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.passthrough.BackingIds;
import org.denyfs.kernel.passthrough.BackingRoot;
import org.denyfs.kernel.passthrough.DataRequests;
import org.denyfs.kernel.passthrough.Handles;
import org.denyfs.kernel.passthrough.Deniers;
import org.denyfs.kernel.passthrough.Firmware;
import org.denyfs.kernel.passthrough.FsVerity;
import org.denyfs.kernel.passthrough.OpenFiles;
import org.denyfs.kernel.passthrough.Passthrough;
import org.denyfs.kernel.pending.PendingReleases;
import org.denyfs.kernel.pending.WritableMappings;

/**
 * One live denyfs mount, and the composition root: {@link #start} is the one place that makes a
 * mount's parts and wires them, bottom up, each part taking what it needs in its constructor:
 * <pre>
 * kernel.natives      ReplyFilter (libdenyfs-fuse.so, in front of /dev/fuse)
 * core                Inodes (the write counts), asking kernel.pending.PendingReleases before a refusal
 * kernel.module       Modules: the emulated kernel, as KernelTree and the mount options describe it;
 *                     FinitModule, finit_module(2) on a backing descriptor for a caller
 * kernel.passthrough  BackingRoot (BACKING as one descriptor), Passthrough (the calls on BACKING),
 *                     OpenFiles (handles, and the write-count rules at open, truncate and release),
 *                     BackingIds (kernel passthrough: INIT asks for it as PassthroughCheck decides)
 * kernel.control      ControlTree (.denyfs: the control file, the views), DaemonFigures
 * kernel.fuse         FuseOps, the one op table over both; FuseLoop serves it on Java threads
 * </pre>
 * It then runs the FUSE loop on its own thread and returns once the kernel has sent INIT, so the
 * mount is usable when it returns; {@link #close}, {@link #detach} and {@link #abort} take it down.
 */
public final class Mount implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Mount.class);
    private static final long INIT_TIMEOUT_SECONDS = 30;

    private final FuseOps ops;
    private final BackingRoot root;
    private final ReplyFilter filter;
    private final DaemonFigures figures;
    private final MountView view;
    private final BackingIds backingIds;
    private final WritableMappings mappings;
    private final Path mountPoint;
    private final CompletableFuture<Void> loop = new CompletableFuture<>();
    /** The kernel's number for this FUSE connection: its directory in /sys/fs/fuse/connections. */
    private volatile long connection = -1;

    /**
     * @param filter the reply filter, loaded once by start()
     * @param off why passthrough is off before INIT is asked (PassthroughCheck.before), or null
     */
    private Mount(Path backing, Path mountPoint, KernelTree tree, MountOptions options, Modules.ModuleInit init,
                  ReplyFilter filter, BackingIds.Off off) {
        this.mountPoint = mountPoint;
        this.filter = filter;
        if (off == null) {
            filter.requestPassthrough(PassthroughCheck.stackDepth(backing));
        }
        this.backingIds = new BackingIds(filter, off, options.backingIdsParked());
        this.root = BackingRoot.open(backing);
        try {
            PendingReleases pending = new PendingReleases(mountPoint);
            Inodes inodes = new Inodes(pending);
            this.mappings = new WritableMappings(mountPoint, inodes);
            pending.alsoWatch(mappings);
            Modules kernel = emulatedKernel(tree, options, init);
            Handles fileHandles = new Handles();
            Handles treeHandles = new Handles(ControlTree.HANDLE_TAG);
            DataRequests data = new DataRequests();
            this.figures = new DaemonFigures(filter, backingIds, data, mappings, fileHandles, treeHandles);
            Passthrough paths = new Passthrough(root, filter, backingIds);
            FinitModule finit = new FinitModule(kernel, inodes);
            Deniers deniers = new Deniers(new FsVerity(inodes, options.readOnly()), options.exclusiveReads(), new Firmware(inodes));
            OpenFiles files = new OpenFiles(paths, inodes, fileHandles, finit, filter, figures.releaseLag(), deniers,
                    backingIds, data, mappings);
            ControlTree controlTree = ControlTree.of(inodes, kernel, root, finit, deniers, treeHandles, filter, figures);
            this.ops = new FuseOps(paths, files, controlTree, figures, filter);
            this.view = new MountView(inodes, kernel, controlTree.control(), figures, filter, deniers, mappings);
        } catch (RuntimeException | Error e) {
            root.close(); // the mount never started: nothing else holds the descriptor
            throw e;
        }
    }

    /** libfuse refused to mount, for a reason the checks before it did not foresee. */
    public static final class LibfuseFailed extends IOException {
        private static final long serialVersionUID = 1L;

        LibfuseFailed(String message) {
            super(message);
        }
    }

    public static Mount start(Path backing, Path mountPoint, MountOptions options) throws IOException {
        return start(backing, mountPoint, options, null);
    }

    /**
     * As {@link #start(Path, Path, MountOptions)}, with every module's init run by {@code init}
     * instead of init_ms (null: init_ms): for tests that hold a load COMING until they release it.
     */
    static Mount start(Path backing, Path mountPoint, MountOptions options, Modules.ModuleInit moduleInit) throws IOException {
        Path mp = mountPoint.toAbsolutePath().normalize();
        MountPointCheck.check(backing, mp, options, Libc.INSTANCE.getuid() == 0);
        ReplyFilter filter = ReplyFilter.load();
        BackingIds.Off off = PassthroughCheck.before(options, filter);
        if (off != null && options.passthrough() == MountOptions.PassthroughMode.ON) {
            throw new IOException("mount point " + mp + ": passthrough=on, but " + off.sentence());
        }
        KernelTree tree = KernelTree.discover(backing, options.kernelRelease());
        Mount mount = new Mount(backing, mp, tree, options, moduleInit, filter, off);
        String source = options.fsname() != null ? options.fsname() : backing.toAbsolutePath().normalize().toString();
        Thread thread = new Thread(() -> mount.serve(options, source), "denyfs-fuse-loop");
        thread.setDaemon(true);
        thread.start();
        try {
            CompletableFuture.anyOf(mount.ops.initialized(), mount.loop).get(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            mount.close();
            throw e.getCause() instanceof IOException io ? io : new IOException("mount point " + mp + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            mount.close();
            throw new IOException("mount point " + mp + ": the kernel did not start the mount within "
                    + INIT_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            mount.close();
            Thread.currentThread().interrupt();
            throw new IOException("mount point " + mp + ": interrupted while mounting");
        }
        if (mount.loop.isDone()) {
            throw new LibfuseFailed("mount point " + mp + ": libfuse could not mount it");
        }
        mount.connection = connectionOf(mp);
        if (mount.connection >= 0) {
            mount.mappings.mountDevice(mount.connection);
        }
        if (options.passthrough() == MountOptions.PassthroughMode.ON && !mount.backingIds.on()) {
            String why = mount.backingIds.describe();
            mount.close();
            throw new IOException("mount point " + mp + ": passthrough=on, but passthrough is " + why);
        }
        LOG.info("mounted {} on {} (policy={}, kernel {}, passthrough {})", backing, mp, options.policy(), tree.release(),
                mount.backingIds.describe());
        return mount;
    }

    /** The module subsystem's kernel, as the tree under BACKING and the mount options describe it. */
    static Modules emulatedKernel(KernelTree tree, MountOptions options, Modules.ModuleInit init) {
        Modules.Builder b = Modules.builder()
                .vermagic(tree.vermagic())
                .vmlinux(tree.vmlinux())
                .policy(Policy.of(options.policy()))
                .memoryLimits(options.memory())
                .trustedKeys(tree.signingKeys())
                .decompression(options.moduleCompression());
        if (options.initMillis() != null) {
            b.initDuration(java.time.Duration.ofMillis(options.initMillis()));
        }
        if (options.symbolWaitMillis() != null) {
            b.symbolWait(java.time.Duration.ofMillis(options.symbolWaitMillis()));
        }
        if (init != null) {
            b.init(init);
        }
        return b.build();
    }

    /**
     * Runs on the mount's thread, which serves as one FUSE worker among the others until it leaves
     * the pool (or the mount ends); the last worker to go completes {@link #loop}.
     */
    private void serve(MountOptions options, String source) {
        try {
            FuseLoop.serve(ops, mountPoint, options.debug(), fuseArgs(options, source, filter.active()).toArray(String[]::new),
                    figures, filter).whenComplete(this::ended);
        } catch (Throwable t) {
            loop.completeExceptionally(t);
        }
    }

    /** The FUSE loop is over (rc 0: a clean unmount): no request can come any more. */
    private void ended(Integer rc, Throwable failure) {
        try {
            try {
                mappings.close(); // the counts are gone with the connection: nothing is left to give back
            } finally {
                root.close();
            }
            if (failure != null) {
                loop.completeExceptionally(failure);
                return;
            }
            if (rc != 0) {
                throw new LibfuseFailed("mount point " + mountPoint + ": libfuse could not mount or serve it");
            }
            if (ops.initialized().isDone()) {
                LOG.info("unmounted {}", mountPoint);
            }
            loop.complete(null);
        } catch (Throwable t) {
            loop.completeExceptionally(t);
        }
    }

    /**
     * libfuse's options for a mount.
     *
     * @param source the first column of /proc/mounts: BACKING unless fsname= says otherwise, as bindfs does
     * @param filter the reply filter is on: attributes may be cached (it keeps hard links exact)
     *               and open files can be hidden instead of hard-removed (see HiddenFiles)
     */
    static List<String> fuseArgs(MountOptions options, String source, boolean filter) {
        List<String> opts = new ArrayList<>(List.of(
                "fsname=" + escapeOption(source), "subtype=denyfs", "use_ino", "big_writes", "max_write=131072", "max_read=131072"));
        if (!filter) {
            // Without the filter's opcode a hiding rename cannot be told from an unlink's: a file
            // unlinked while open then loses its path (handle requests still work: nullpath_ok).
            opts.add("hard_remove");
        }
        if (options.cache() == MountOptions.Cache.EXACT) {
            // Nothing of BACKING is kept by the kernel across uses: names, attributes and, at every
            // open, file pages are asked again, so a change made behind the mount is seen next time.
            opts.addAll(List.of("attr_timeout=0", "entry_timeout=0", "negative_timeout=0"));
        } else {
            // Per-file keep_cache, decided by libfuse at each open: the page cache survives an open
            // unless the file's mtime or size changed (checked by fgetattr, in the daemon, with no
            // extra round trip). libfuse2 gives every hard link its own FUSE inode, so cached
            // attributes of one link go stale when another changes (nlink after ln, size after a
            // write): the reply filter never lets the kernel cache those; without it nothing may be.
            opts.addAll(List.of("auto_cache", "ac_attr_timeout=0", filter ? "attr_timeout=1" : "attr_timeout=0"));
        }
        if (Libc.INSTANCE.getuid() == 0) {
            // Let every user in, and let the kernel check their permissions against the backing modes.
            opts.add("allow_other");
            opts.add("default_permissions");
        }
        for (String o : options.fuseOptions()) {
            if (!opts.contains(o)) {
                opts.add(o);
            }
        }
        return List.of("-o", String.join(",", opts));
    }

    /** libfuse's option parser takes a backslash before a comma or a backslash literally (fuse_opt_add_opt_escaped). */
    static String escapeOption(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,");
    }

    /** What a test may look at inside a mount served in its own JVM. */
    public MountView view() {
        return view;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** Blocks until the mount goes away (umount from outside, or a signal). */
    public void awaitUnmounted() throws InterruptedException {
        try {
            loop.get();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("FUSE loop failed", e.getCause());
        }
    }

    /** What {@link #detach} did, and the words for the log. */
    public record Detach(Kind kind, String detail) {
        public enum Kind {
            /** unmounted: the FUSE loop is ending */
            UNMOUNTED,
            /** busy: lazily detached, the loop ends when the last open file closes */
            DETACHED_BUSY,
            /** neither worked; detail says why */
            FAILED
        }
    }

    /**
     * Takes the mount away without waiting: a plain unmount, or, when files on it are still open
     * (EBUSY), a lazy one. After the lazy one the mount point is free at once, and the daemon keeps
     * serving the open files until the last is closed; then the kernel ends the connection and
     * the FUSE loop ends, as after a plain unmount ({@link #awaitUnmounted}).
     */
    public Detach detach() {
        Unmounter.Result r = Unmounter.unmount(mountPoint);
        if (r.status() == 0) {
            return new Detach(Detach.Kind.UNMOUNTED, "");
        }
        if (!r.busy()) {
            return new Detach(Detach.Kind.FAILED, r.output());
        }
        String users = MountUsers.describe(mountPoint);
        Unmounter.Result lazy = Unmounter.detachLazily(mountPoint);
        if (lazy.status() != 0) {
            return new Detach(Detach.Kind.FAILED, lazy.output());
        }
        return new Detach(Detach.Kind.DETACHED_BUSY, users.isEmpty() ? "in use" : "in use by " + users);
    }

    /**
     * Ends the FUSE connection now, as {@code echo 1 > /sys/fs/fuse/connections/N/abort} does: every
     * request in flight and every later one on a file still open fails with ENOTCONN (but the reads,
     * writes and mappings of a file opened with kernel passthrough, which never were requests: they
     * go on reaching BACKING until the file is closed). The mount is
     * detached lazily first if it is still in place, so no dead mount point is left behind.
     * {@code announce} is told how (the moment the connection ends, the FUSE loop returns and the
     * daemon may exit, so whatever is to be said must be said before); without fusectl mounted,
     * the daemon's exit (closing /dev/fuse) aborts it.
     */
    public void abort(java.util.function.Consumer<String> announce) {
        if (stillMounted()) {
            Unmounter.detachLazily(mountPoint);
        }
        Path abort = Path.of("/sys/fs/fuse/connections", Long.toString(connection), "abort");
        if (connection >= 0 && Files.exists(abort)) {
            announce.accept("through " + abort);
            try {
                Files.writeString(abort, "1");
                return;
            } catch (IOException e) {
                announce.accept("by closing /dev/fuse (" + abort + ": " + e.getMessage() + ")");
                return;
            }
        }
        announce.accept("by closing /dev/fuse");
    }

    private boolean stillMounted() {
        return MountTable.isMounted(mountPoint);
    }

    /** The connection's number: st_dev of the mount root. */
    private static long connectionOf(Path mp) {
        try {
            return kernelDev(((Number) Files.getAttribute(mp, "unix:dev")).longValue());
        } catch (IOException | RuntimeException e) {
            LOG.debug("no st_dev for {}: {}", mp, e.toString());
            return -1;
        }
    }

    /**
     * glibc's st_dev (major and minor split over the 64 bits, sys/sysmacros.h) in the kernel's own
     * encoding, major << 20 | minor, which is how fusectl names a connection's directory.
     */
    static long kernelDev(long stDev) {
        long major = ((stDev & 0xfff00L) >>> 8) | ((stDev & 0xfffff00000000000L) >>> 32);
        long minor = (stDev & 0xffL) | ((stDev & 0xffffff00000L) >>> 12);
        return (major << 20) | minor;
    }

    /** Unmounts and waits for the FUSE loop to end. Safe to call twice. */
    @Override
    public void close() {
        if (!loop.isDone()) {
            Unmounter.unmount(mountPoint);
            try {
                loop.get(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.error("FUSE loop of {} did not end after unmount: {}", mountPoint, e.toString());
            }
        }
    }
}
