package org.denyfs.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.denyfs.core.InodeKey;

/**
 * A real denyfs mount for one test class: a fresh backing directory and mount point under
 * /tmp, served in this JVM so tests can also look at the daemon's own table. {@link #close}
 * unmounts and removes both, and runs even when the test failed.
 */
final class LiveMount implements AutoCloseable {
    final Path dir;
    final Path backing;
    final Path mnt;
    final Mount mount;

    private LiveMount(Path dir, Path backing, Mount mount) {
        this.dir = dir;
        this.backing = backing;
        this.mnt = dir.resolve("mnt");
        this.mount = mount;
    }

    /** A mount over a fresh, empty backing directory. */
    static LiveMount start() throws IOException {
        return start("");
    }

    /** A mount over a fresh, empty backing directory, with mount options ("cache=relaxed"). */
    static LiveMount start(String options) throws IOException {
        requireFuse();
        Path dir = Files.createTempDirectory("denyfs-it-");
        Files.createDirectories(dir.resolve("backing"));
        return start(dir, dir.resolve("backing"), MountOptions.parse(java.util.List.of(options)));
    }

    /** A mount over an existing tree (never modified or removed by close), with mount options. */
    static LiveMount over(Path backing, String options) throws IOException {
        requireFuse();
        Path dir = Files.createTempDirectory("denyfs-it-");
        return start(dir, backing, MountOptions.parse(java.util.List.of(options)));
    }

    /** As {@link #over(Path, String)}, with every module's init run by {@code init} (a latch the test opens). */
    static LiveMount over(Path backing, String options, org.denyfs.kernel.module.Modules.ModuleInit init) throws IOException {
        requireFuse();
        Path dir = Files.createTempDirectory("denyfs-it-");
        return start(dir, backing, MountOptions.parse(java.util.List.of(options)), init);
    }

    private static LiveMount start(Path dir, Path backing, MountOptions options) throws IOException {
        return start(dir, backing, options, null);
    }

    private static LiveMount start(Path dir, Path backing, MountOptions options,
            org.denyfs.kernel.module.Modules.ModuleInit init) throws IOException {
        // createTempDirectory makes it 0700; tests that run as another user must reach the mount
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("mnt"));
        try {
            return new LiveMount(dir, backing, Mount.start(backing, dir.resolve("mnt"), options, init));
        } catch (IOException | RuntimeException e) {
            removeTree(dir);
            throw e;
        }
    }

    /** Under CI a missing /dev/fuse is a failure; on a laptop without FUSE the test skips itself. */
    static void requireFuse() {
        boolean fuse = Files.exists(Path.of("/dev/fuse"));
        if ("true".equals(System.getenv("CI"))) {
            if (!fuse) {
                throw new AssertionError("CI=true but /dev/fuse is missing");
            }
        } else {
            assumeTrue(fuse, "no /dev/fuse on this machine");
        }
    }

    Path file(String name, String content) throws IOException {
        Path p = backing.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return mnt.resolve(name);
    }

    /** The daemon's count for a backing file, as the control file's query would say. */
    int count(String name) throws IOException {
        Object ino = Files.getAttribute(backing.resolve(name), "unix:ino");
        Object dev = Files.getAttribute(backing.resolve(name), "unix:dev");
        return mount.view().count(new InodeKey((Long) dev, (Long) ino));
    }

    /** Waits for a condition the daemon reaches asynchronously (a RELEASE after a process exits). */
    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // re-check soon; the daemon needs the CPU more
        }
    }

    @Override
    public void close() throws IOException {
        try {
            mount.close();
        } finally {
            if (!org.denyfs.abi.MountTable.isMounted(mnt)) {
                removeTree(dir); // the temporary dir: a tree given to over() lies outside it
            }
        }
    }

    /** rm -rf: a tree a test left behind may be deeper than PATH_MAX, which Java's walk cannot delete. */
    private static void removeTree(Path dir) throws IOException {
        Proc.Result r = Proc.run(Path.of("/"), java.util.List.of("rm", "-rf", "--one-file-system", dir.toString()));
        if (r.status() != 0) {
            throw new IOException("rm -rf " + dir + ": " + r.err());
        }
    }
}
