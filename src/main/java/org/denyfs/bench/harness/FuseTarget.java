package org.denyfs.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.denyfs.abi.MountTable;

/**
 * A FUSE mount made by a command that returns once the mount is live (bindfs and the denyfs
 * launcher both daemonize after mounting), so no waiting or polling is needed: /proc/mounts is
 * checked once, right after the command returns.
 */
public final class FuseTarget implements Target {
    private static final Duration UMOUNT_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Path mountPoint;
    private final List<String> mountCommand;
    private final Cleanup.Handle unmount;

    private FuseTarget(String name, Path mountPoint, List<String> mountCommand, Cleanup.Handle unmount) {
        this.name = name;
        this.mountPoint = mountPoint;
        this.mountCommand = mountCommand;
        this.unmount = unmount;
    }

    /**
     * Mounts, having registered the unmount first: a Ctrl-C or a launcher that fails half-way still
     * gets unmounted.
     */
    public static FuseTarget mount(String name, Path mountPoint, List<String> mountCommand, List<String> umountCommand,
                            Duration mountTimeout, Exec exec, Cleanup cleanup) throws IOException {
        Cleanup.Handle unmount = cleanup.add("unmount " + mountPoint, () -> unmount(mountPoint, umountCommand));
        try {
            Exec.Result r = exec.run(mountCommand, mountTimeout);
            if (!r.ok()) {
                throw new IOException("mounting " + name + " failed: " + r.describe());
            }
            if (!MountTable.mountedAt(mountPoint).isPresent()) {
                throw new IOException(String.join(" ", mountCommand) + " returned 0 but " + mountPoint
                        + " is not in /proc/mounts (the command must return only once the mount is live)");
            }
        } catch (IOException | RuntimeException e) {
            unmount.run();
            throw e;
        }
        return new FuseTarget(name, mountPoint, List.copyOf(mountCommand), unmount);
    }

    /**
     * The target's own unmount first; then lazy detaches, because a mount left behind is worse than a
     * daemon that exits a moment later.
     */
    private static void unmount(Path mountPoint, List<String> umountCommand) throws IOException {
        if (!MountTable.mountedAt(mountPoint).isPresent()) {
            return;
        }
        Exec exec = new Exec(null);
        Exec.Result first = exec.run(umountCommand, UMOUNT_TIMEOUT);
        if (MountTable.mountedAt(mountPoint).isPresent() && Executables.onPath("fusermount").isPresent()) {
            exec.run(List.of("fusermount", "-u", "-z", mountPoint.toString()), UMOUNT_TIMEOUT);
        }
        if (MountTable.mountedAt(mountPoint).isPresent()) {
            exec.run(List.of("umount", "-l", mountPoint.toString()), UMOUNT_TIMEOUT);
        }
        if (MountTable.mountedAt(mountPoint).isPresent()) {
            throw new IOException("still mounted after " + first.describe());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path dir() {
        return mountPoint;
    }

    @Override
    public String setup() {
        return String.join(" ", mountCommand);
    }

    @Override
    public void close() {
        unmount.run();
    }
}
