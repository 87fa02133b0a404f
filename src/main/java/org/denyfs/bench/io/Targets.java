package org.denyfs.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.denyfs.bench.harness.Cleanup;
import org.denyfs.bench.harness.Exec;
import org.denyfs.bench.harness.Executables;
import org.denyfs.bench.harness.FuseTarget;
import org.denyfs.bench.harness.Launcher;
import org.denyfs.bench.harness.Target;
import org.denyfs.bench.harness.TargetUnavailable;

/** Sets up each kind of target over the shared backing directory. */
final class Targets {
    /** bindfs in its fastest configuration, as the issue requires (libfuse2 defaults would understate it). */
    static final List<String> BINDFS_OPTIONS =
            List.of("--multithreaded", "-o", "big_writes,max_write=131072,max_read=131072");
    private static final Duration BINDFS_MOUNT_TIMEOUT = Duration.ofSeconds(30);
    /** The denyfs launcher starts a JVM and may first rebuild the jar; give it time, but not forever. */
    private static final Duration DENYFS_MOUNT_TIMEOUT = Duration.ofMinutes(10);

    private final BenchConfig cfg;
    private final Path backing;
    private final Path mountRoot;
    private final Exec exec;
    private final Cleanup cleanup;

    Targets(BenchConfig cfg, Path backing, Path mountRoot, Exec exec, Cleanup cleanup) {
        this.cfg = cfg;
        this.backing = backing;
        this.mountRoot = mountRoot;
        this.exec = exec;
        this.cleanup = cleanup;
    }

    /**
     * @throws TargetUnavailable when the tool is not installed (skip it)
     * @throws IOException when it is installed but mounting failed (an error)
     */
    Target open(TargetKind kind) throws TargetUnavailable, IOException {
        return switch (kind) {
            case NATIVE -> new NativeTarget(backing);
            case BINDFS -> bindfs();
            case DENYFS -> denyfs(TargetKind.DENYFS, cfg.denyfsOptions());
            case DENYFS_NOPT -> denyfs(TargetKind.DENYFS_NOPT,
                    cfg.denyfsOptions().isEmpty() ? "passthrough=off" : cfg.denyfsOptions() + ",passthrough=off");
        };
    }

    private Target bindfs() throws TargetUnavailable, IOException {
        if (Executables.onPath("bindfs").isEmpty()) {
            throw new TargetUnavailable("bindfs is not installed: apt-get install bindfs");
        }
        requireFuse();
        Path mnt = mountPoint("bindfs");
        List<String> mount = new ArrayList<>(List.of("bindfs"));
        mount.addAll(BINDFS_OPTIONS);
        mount.addAll(List.of(backing.toString(), mnt.toString()));
        return FuseTarget.mount("bindfs", mnt, mount, List.of("fusermount", "-u", mnt.toString()),
                BINDFS_MOUNT_TIMEOUT, exec, cleanup);
    }

    private Target denyfs(TargetKind kind, String options) throws TargetUnavailable, IOException {
        List<String> launcher = Launcher.resolve(cfg.denyfsCommand(), cfg.repoRoot());
        requireFuse();
        Path mnt = mountPoint(kind.id());
        List<String> mount = new ArrayList<>(launcher);
        mount.add("mount");
        if (!options.isEmpty()) {
            mount.addAll(List.of("-o", options));
        }
        mount.addAll(List.of(backing.toString(), mnt.toString()));
        List<String> umount = new ArrayList<>(launcher);
        umount.addAll(List.of("umount", mnt.toString()));
        return FuseTarget.mount(kind.id(), mnt, mount, umount, DENYFS_MOUNT_TIMEOUT, exec, cleanup);
    }

    private static void requireFuse() throws TargetUnavailable {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new TargetUnavailable("/dev/fuse is missing (no FUSE in this kernel or container)");
        }
    }

    private Path mountPoint(String name) throws IOException {
        return Files.createDirectories(mountRoot.resolve(name));
    }
}
