package org.denyfs.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.core.Inodes;
import org.denyfs.module.Modules;
import org.denyfs.module.Policy;

/**
 * One live denyfs mount: the FUSE loop on its own thread, and a clean way down. {@link #start}
 * returns once the kernel has sent INIT, so the mount is usable when it returns.
 */
public final class Mount implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Mount.class);
    private static final long INIT_TIMEOUT_SECONDS = 30;

    private final DenyFs fs;
    private final Path mountPoint;
    private final CompletableFuture<Void> loop = new CompletableFuture<>();

    private Mount(DenyFs fs, Path mountPoint) {
        this.fs = fs;
        this.mountPoint = mountPoint;
    }

    public static Mount start(Path backing, Path mountPoint, MountOptions options) throws IOException {
        Path mp = mountPoint.toAbsolutePath().normalize();
        requireDirectory(backing, "backing directory");
        requireDirectory(mp, "mount point");
        DenyFs fs = new DenyFs(backing, new Inodes(new PendingReleases(mp)), emulatedKernel(backing, options),
                ReplyFilter.load());
        Mount mount = new Mount(fs, mp);
        Thread thread = new Thread(() -> mount.serve(options), "denyfs-fuse-loop");
        thread.setDaemon(true);
        thread.start();
        try {
            CompletableFuture<Void> init = CompletableFuture.runAsync(() -> awaitInit(fs));
            CompletableFuture.anyOf(init, mount.loop).get(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            mount.close();
            throw new IOException("mounting " + mp + " failed: " + e.getMessage(), e);
        }
        if (mount.loop.isDone()) {
            throw new IOException("mounting " + mp + " failed: libfuse returned at once (is " + mp
                    + " already mounted, or /dev/fuse missing? see the messages above)");
        }
        LOG.info("mounted {} on {} (policy={})", backing, mp, options.policy());
        return mount;
    }

    /** The module subsystem's kernel, as the tree under BACKING and the mount options describe it. */
    static Modules emulatedKernel(Path backing, MountOptions options) {
        KernelTree tree = KernelTree.discover(backing, options.kernelRelease());
        Modules.Builder b = Modules.builder()
                .vermagic(tree.vermagic())
                .vmlinux(tree.vmlinux())
                .policy(Policy.valueOf(options.policy().toUpperCase(java.util.Locale.ROOT)))
                .memoryLimits(options.memory())
                .trustedKeys(tree.signingKeys());
        if (options.initMillis() != null) {
            b.initDuration(java.time.Duration.ofMillis(options.initMillis()));
        }
        return b.build();
    }

    private static void awaitInit(DenyFs fs) {
        try {
            fs.awaitInit(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(MountOptions options) {
        try {
            int rc = FuseLoop.run(fs, mountPoint, options.debug(),
                    fuseArgs(options, fs.replyFilter().active()).toArray(String[]::new), fs.fuseThreadsStarted,
                    fs.replyFilter());
            fs.unmounted();
            if (rc != 0) {
                throw new IOException("libfuse could not mount or serve " + mountPoint + " (see the messages above)");
            }
            loop.complete(null);
        } catch (Throwable t) {
            loop.completeExceptionally(t);
        }
    }

    /**
     * libfuse's options for a mount.
     *
     * @param filter the reply filter is on: attributes may be cached (it keeps hard links exact)
     *               and open files can be hidden instead of hard-removed (see HiddenFiles)
     */
    static List<String> fuseArgs(MountOptions options, boolean filter) {
        List<String> opts = new ArrayList<>(List.of(
                "fsname=denyfs", "subtype=denyfs", "use_ino", "big_writes", "max_write=131072", "max_read=131072"));
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
        opts.addAll(options.fuseOptions());
        return List.of("-o", String.join(",", opts));
    }

    public DenyFs fs() {
        return fs;
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

    /** Unmounts and waits for the FUSE loop to end. Safe to call twice. */
    @Override
    public void close() {
        if (!loop.isDone()) {
            Unmounter.unmount(mountPoint);
            try {
                loop.get(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                LOG.info("unmounted {}", mountPoint);
            } catch (Exception e) {
                LOG.error("FUSE loop of {} did not end after unmount: {}", mountPoint, e.toString());
            }
        }
    }

    private static void requireDirectory(Path dir, String what) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(what + " " + dir + ": " + (Files.exists(dir) ? "Not a directory" : "No such file or directory"));
        }
    }
}
