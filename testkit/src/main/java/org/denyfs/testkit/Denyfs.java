package org.denyfs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.denyfs.abi.MountTable;
import org.denyfs.kernel.Mount;
import org.denyfs.kernel.MountOptions;
import org.denyfs.kernel.Unmounter;
import org.denyfs.user.client.Client;

/**
 * A live denyfs mount over a fresh temporary directory, served in this JVM, and its control API:
 * every call is one request on the mount's control file through {@link Client}, the project's
 * control client. A deny taken with {@link #deny} or {@link #xdeny} belongs to this object's own
 * control handle and lasts until {@link #allow} or {@link #close}; {@link #hold} takes one on a
 * handle of its own, which ends when the returned {@link Hold} is closed, as {@code denyfs hold}
 * ends with its command. Files are named by a {@link Path} on the mount or by a name relative to
 * the mount root.
 *
 * <p>Made by {@link DenyfsMount}, or by {@link #mount} for code that manages its own lifetime
 * (try-with-resources).
 */
public final class Denyfs implements AutoCloseable {
    private final Path dir;
    private final Path backing;
    private final Path mountPoint;
    private final Mount mount;
    private final Client control;
    private boolean closed;

    private Denyfs(Path dir, Path backing, Mount mount, Client control) {
        this.dir = dir;
        this.backing = backing;
        this.mountPoint = mount.mountPoint();
        this.mount = mount;
        this.control = control;
    }

    /** Mounts a fresh, empty directory with denyfs mount options ("policy=exclusive", ...). */
    public static Denyfs mount(List<String> options) throws IOException {
        MountOptions parsed;
        try {
            parsed = MountOptions.parse(options);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad denyfs mount options " + options + ": " + e.getMessage(), e);
        }
        Path dir = Files.createTempDirectory("denyfs-testkit-");
        // createTempDirectory makes it 0700; a test may run a process as another user on the mount
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path backing = Files.createDirectory(dir.resolve("backing"));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Mount mount = null;
        try {
            mount = Mount.start(backing, mnt, parsed);
            return new Denyfs(dir, backing, mount, Client.open(mount.mountPoint()));
        } catch (IOException | RuntimeException e) {
            if (mount != null) {
                mount.close();
            }
            removeTree(dir);
            throw e;
        }
    }

    public static Denyfs mount(String... options) throws IOException {
        return mount(List.of(options));
    }

    /** The mount point: every file operation under it goes through denyfs. */
    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * The backing directory. Changes made here behind the mount's back are seen through the mount at
     * the next open if they change size or mtime, but names and attributes may be cached for a second:
     * prefer writing through the mount.
     */
    public Path backing() {
        return backing;
    }

    /** {@code name} on the mount (relative to the mount root). */
    public Path path(String name) {
        return mountPoint.resolve(name);
    }

    /** Writes {@code content} to {@code name} through the mount (parents created) and returns its path. */
    public Path write(String name, String content) {
        Path p = path(name);
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The signed write count: N open writers, or -N deniers (a release in flight is waited for). */
    public int query(Path file) {
        return count(request("query", file));
    }

    /** deny_write_access() on this mount's handle; a DenyfsException (ETXTBSY) while it is written. */
    public int deny(Path file) {
        return count(request("deny", file));
    }

    /** exclusive_deny_write_access(): granted only while nobody writes or denies. */
    public int xdeny(Path file) {
        return count(request("xdeny", file));
    }

    /** Gives back the newest deny this mount's handle holds on the file; EINVAL if it holds none. */
    public int allow(Path file) {
        return count(request("allow", file));
    }

    /** Who holds the file's count, oldest first: writers, denies, running programs, module loads. */
    public List<Holder> holders(Path file) {
        return Holder.parseAll(request("holders", file));
    }

    /** The daemon's own figures ("pid", "inodes", "sessions", "control_denies", ...), in reply order. */
    public Map<String, String> status() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : call("status").split(" ")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return fields;
    }

    /** A deny (or, with {@code exclusive}, an exclusive one) on a handle of its own, until closed. */
    public Hold hold(Path file, boolean exclusive) {
        try {
            Client own = Client.open(mountPoint);
            try {
                String request = (exclusive ? "xdeny " : "deny ") + own.relative(onMount(file));
                Client.Reply r = own.call(request);
                if (!r.ok()) {
                    throw new DenyfsException(request, r.errno(), r.message());
                }
                return new Hold(own, file);
            } catch (IOException | RuntimeException e) {
                own.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Hold hold(Path file) {
        return hold(file, false);
    }

    /**
     * Waits until the file's count is {@code count}, for at most {@code limit}: FUSE delivers a
     * RELEASE after close(2) returns, so a process that just exited may still be counted.
     */
    public void awaitCount(Path file, int count, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        int last;
        while ((last = query(file)) != count) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(file + ": count still " + last + " after " + limit + ", expected " + count);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(1); // re-check soon; the daemon needs the CPU more
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + file, e);
            }
        }
    }

    /** A deny on its own control handle; closing the handle gives it back. */
    public static final class Hold implements AutoCloseable {
        private final Client handle;
        private final Path file;

        private Hold(Client handle, Path file) {
            this.handle = handle;
            this.file = file;
        }

        public Path file() {
            return file;
        }

        @Override
        public void close() {
            try {
                handle.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Unmounts and removes the temporary directory; safe to call twice. Fails if the mount is busy (a
     * file left open on it): it is then detached lazily, so nothing stays mounted, and the daemon
     * serves the open files until they are closed.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            control.close();
        } finally {
            unmountAndRemove();
        }
    }

    private void unmountAndRemove() throws IOException {
        Unmounter.Result r = Unmounter.unmount(mountPoint);
        if (r.status() != 0 && MountTable.isMounted(mountPoint)) {
            try {
                new ProcessBuilder("fusermount", "-u", "-z", mountPoint.toString()).inheritIO().start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            removeTree(dir); // files open on the mount stay readable: their backing inodes live on
            throw new IOException(mountPoint + " was busy at unmount (" + r.output() + "): a file left open on it?"
                    + " Detached lazily");
        }
        mount.close(); // the FUSE loop ends now that the kernel let go
        removeTree(dir);
    }

    @Override
    public String toString() {
        return "denyfs mount " + mountPoint + " of " + backing;
    }

    private String request(String verb, Path file) {
        return call(verb + " " + control.relative(onMount(file)));
    }

    private synchronized String call(String request) {
        if (closed) {
            throw new IllegalStateException(this + " is unmounted");
        }
        Client.Reply r;
        try {
            r = control.call(request);
        } catch (IOException e) {
            throw new UncheckedIOException(request + ": " + e.getMessage(), e);
        }
        if (!r.ok()) {
            throw new DenyfsException(request, r.errno(), r.message());
        }
        return r.value();
    }

    private Path onMount(Path file) {
        Path p = file.isAbsolute() ? file.normalize() : mountPoint.resolve(file).normalize();
        if (!p.startsWith(mountPoint)) {
            throw new IllegalArgumentException(file + " is not on " + this);
        }
        return p;
    }

    private static int count(String value) {
        return Integer.parseInt(value.trim());
    }

    private static void removeTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
