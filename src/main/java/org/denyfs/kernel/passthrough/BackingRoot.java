package org.denyfs.kernel.passthrough;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.OpenHow;
import org.denyfs.kernel.natives.Stat;

/**
 * The backing directory as one file descriptor, and the only way from a request's path to a
 * backing file: every path is resolved <em>beneath</em> that descriptor by the kernel itself
 * ({@code openat2(2)} with {@code RESOLVE_BENEATH}), never rebuilt into an absolute path that a
 * symlink swapped in between a check and a use could send elsewhere. The daemon runs as root, so
 * this is what keeps a request from reaching a file outside BACKING.
 *
 * <p>Two ways to resolve, for the two kinds of path the daemon receives:
 * <ul>
 *   <li>{@link Walk#NO_SYMLINKS}: a FUSE path. The kernel resolved every symlink on the mount
 *       itself (READLINK, then LOOKUP of the target), so a symlink inside such a path can only have
 *       been swapped in behind the kernel's back: refused with ELOOP, at every component.</li>
 *   <li>{@link Walk#BENEATH}: a control-request path, which names a file the way open(2) would
 *       from the mount root. Symlinks are followed as long as they stay beneath the root; one that
 *       would leave it (an absolute target, or ".." above the root) fails with EXDEV.</li>
 * </ul>
 * Magic links ({@code /proc/self/fd/N} and the like) are refused in both.
 *
 * <p>Where the kernel lacks openat2 (before Linux 5.6: ENOSYS) the same rules are kept by a
 * component-by-component walk with {@code O_NOFOLLOW} (see {@link #walk}).
 *
 * <p>Thread-safety: immutable after construction; each call uses a per-thread {@code open_how}.
 */
public final class BackingRoot implements AutoCloseable {
    /** openat2(2) on x86-64. */
    static final long SYS_OPENAT2 = 437;
    static final long RESOLVE_NO_XDEV = 0x01;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;
    /** The kernel's limit on symlinks followed in one resolution. */
    static final int MAXSYMLINKS = 40;
    static final int PATH_MAX = 4096;

    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Libc LIBC = Libc.INSTANCE;
    private static final ThreadLocal<Pointer> HOW = ThreadLocal.withInitial(
            () -> Memory.allocateDirect(Libc.RUNTIME, OpenHow.BYTES, true));

    /** How symlinks inside a request's path are treated. */
    public enum Walk {
        NO_SYMLINKS(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS),
        BENEATH(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);

        final long resolve;

        Walk(long resolve) {
            this.resolve = resolve;
        }
    }

    private static final Pointer DOT = Memory.allocateDirect(Libc.RUNTIME, 2, true);

    static {
        DOT.putByte(0, (byte) '.');
    }

    private final int fd;
    /** False once openat2 answered ENOSYS: the walk keeps its rules. */
    private volatile boolean openat2 = true;

    /** Opens {@code dir} (O_PATH, O_DIRECTORY) for the life of the mount. */
    public static BackingRoot open(java.nio.file.Path dir) {
        int fd = LIBC.open(dir.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            throw Libc.lastError("open " + dir);
        }
        return new BackingRoot(fd, true);
    }

    /** @param useOpenat2 false to always walk (tests of the pre-5.6 route) */
    public BackingRoot(int fd, boolean useOpenat2) {
        this.fd = fd;
        this.openat2 = useOpenat2;
    }

    /** The root's own descriptor: for *at calls on names directly in the root, which need no walk. */
    int fd() {
        return fd;
    }

    /**
     * Opens {@code relative} (no leading '/'; "" or "." is the root itself) beneath the root.
     *
     * @return the new fd (O_CLOEXEC is always added), or -errno
     */
    public int open(String relative, int flags, int mode, Walk walk) {
        byte[] bytes = relative.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= PATH_MAX) {
            return walk == Walk.NO_SYMLINKS ? openLong(bytes, flags, mode) : -Errno.ENAMETOOLONG.code();
        }
        return openAt(fd, bytes, flags, mode, walk);
    }

    private int openAt(int dir, byte[] bytes, int flags, int mode, Walk walk) {
        Pointer path = Memory.allocateDirect(Libc.RUNTIME, bytes.length + 1, true);
        path.put(0, bytes, 0, bytes.length);
        try {
            return openAt(dir, path.address(), flags, mode, walk);
        } finally {
            java.lang.ref.Reference.reachabilityFence(path); // jnr frees it once collected
        }
    }

    /**
     * A FUSE path of PATH_MAX bytes or more (a deep tree: the kernel sends one name at a time, and
     * libfuse joins them without a limit), which no single call takes: opened a piece of less than
     * PATH_MAX at a time, each piece beneath the directory the one before it opened. FUSE paths hold
     * no ".." and no symlink, so this is the same walk as one openat2 of the whole.
     */
    private int openLong(byte[] path, int flags, int mode) {
        int dir = fd;
        int start = 0;
        try {
            while (path.length - start >= PATH_MAX) {
                int cut = start + PATH_MAX - 1;
                while (cut > start && path[cut] != '/') {
                    cut--;
                }
                if (cut == start) {
                    return -Errno.ENAMETOOLONG.code(); // one name longer than any file system allows
                }
                int next = openAt(dir, java.util.Arrays.copyOfRange(path, start, cut), Libc.O_PATH | Libc.O_DIRECTORY, 0, Walk.NO_SYMLINKS);
                if (dir != fd) {
                    LIBC.close(dir);
                }
                dir = next;
                if (dir < 0) {
                    return dir;
                }
                start = cut + 1;
            }
            return openAt(dir, java.util.Arrays.copyOfRange(path, start, path.length), flags, mode, Walk.NO_SYMLINKS);
        } finally {
            if (dir != fd && dir >= 0) {
                LIBC.close(dir);
            }
        }
    }

    /**
     * As {@link #open(String, int, int, Walk)} for a path that is a C string at {@code relative}
     * (libfuse's own buffer, one past its leading '/'): nothing is decoded or copied.
     */
    public int open(long relative, int flags, int mode, Walk walk) {
        int rc = openAt(fd, relative, flags, mode, walk);
        if (rc == -Errno.ENAMETOOLONG.code() && walk == Walk.NO_SYMLINKS) {
            return open(Pointer.wrap(Libc.RUNTIME, relative).getString(0, Integer.MAX_VALUE, StandardCharsets.UTF_8), flags, mode, walk);
        }
        return rc;
    }

    private int openAt(int dir, long relative, int flags, int mode, Walk walk) {
        if (MEMORY.getByte(relative) == 0) {
            relative = DOT.address(); // openat2 has no AT_EMPTY_PATH: the root is "."
        }
        if (openat2) {
            Pointer how = HOW.get();
            long h = how.address();
            MEMORY.putLong(h + OpenHow.FLAGS, (flags | Libc.O_CLOEXEC) & 0xffffffffL);
            // openat2 refuses a mode with more than the permission bits (FUSE's CREATE has S_IFREG)
            MEMORY.putLong(h + OpenHow.MODE, (flags & (Libc.O_CREAT | O_TMPFILE)) != 0 ? mode & 07777 : 0);
            MEMORY.putLong(h + OpenHow.RESOLVE, walk.resolve);
            long rc = LIBC.syscall(SYS_OPENAT2, dir, relative, h, OpenHow.BYTES);
            if (rc >= 0) {
                return (int) rc;
            }
            int errno = Libc.errno();
            if (errno != Errno.ENOSYS.code()) {
                return -errno;
            }
            openat2 = false;
        }
        return walk(dir, Pointer.wrap(Libc.RUNTIME, relative).getString(0, PATH_MAX, StandardCharsets.UTF_8), flags, mode, walk);
    }

    /** Per thread: a FUSE path's directory part, copied out of libfuse's string with a NUL. */
    private static final ThreadLocal<Pointer> DIR_PART = ThreadLocal.withInitial(
            () -> Memory.allocateDirect(Libc.RUNTIME, PATH_MAX + 1, true));

    /**
     * Opens (O_PATH, O_DIRECTORY) the directory that holds the last component of the FUSE path at
     * {@code fusePath} ("/a/b/c": "a/b"), whose last '/' is at offset {@code slash} &gt; 0.
     *
     * @return the fd, or -errno
     */
    int openDirectoryOf(long fusePath, long slash) {
        if (slash > PATH_MAX) {
            String dir = Pointer.wrap(Libc.RUNTIME, fusePath).getString(1, (int) slash - 1, StandardCharsets.UTF_8);
            return open(dir, Libc.O_PATH | Libc.O_DIRECTORY, 0, Walk.NO_SYMLINKS);
        }
        long buf = DIR_PART.get().address();
        MEMORY.copyMemory(fusePath + 1, buf, slash - 1);
        MEMORY.putByte(buf + slash - 1, (byte) 0);
        return open(buf, Libc.O_PATH | Libc.O_DIRECTORY, 0, Walk.NO_SYMLINKS);
    }

    /** O_TMPFILE includes O_DIRECTORY: the kernel wants a mode for it too. */
    private static final int O_TMPFILE = 020000000 | Libc.O_DIRECTORY;

    /**
     * The rules of {@link Walk} without openat2: one openat(O_PATH | O_NOFOLLOW) per directory
     * component from the root, so no component is ever looked up relative to anything but a
     * descriptor already beneath it. ".." may not climb above the root (EXDEV); a symlink is ELOOP
     * for NO_SYMLINKS and is read and walked (at most {@value #MAXSYMLINKS}) for BENEATH.
     */
    int walk(int start, String relative, int flags, int mode, Walk walk) {
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(java.util.List.of(relative.split("/", -1)));
        // The open directories from the root down to the current one: ".." pops one.
        java.util.ArrayDeque<Integer> stack = new java.util.ArrayDeque<>();
        int links = 0;
        try {
            while (!todo.isEmpty()) {
                String name = todo.pollFirst();
                int dir = stack.isEmpty() ? start : stack.peekLast();
                if (name.isEmpty() || name.equals(".")) {
                    if (todo.isEmpty()) {
                        return reopen(dir, flags, mode);
                    }
                    continue;
                }
                if (name.equals("..")) {
                    if (stack.isEmpty()) {
                        return -Errno.EXDEV.code();
                    }
                    LIBC.close(stack.pollLast());
                    if (todo.isEmpty()) {
                        return reopen(stack.isEmpty() ? start : stack.peekLast(), flags, mode);
                    }
                    continue;
                }
                boolean last = todo.isEmpty();
                int next = last
                        ? LIBC.openat(dir, name, flags | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode)
                        : LIBC.openat(dir, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                int errno = next < 0 ? Libc.errno() : 0;
                boolean symlink = next >= 0 ? Stat.isSymlink(next) : last && errno == Errno.ELOOP.code();
                if (symlink) {
                    if (next >= 0) {
                        LIBC.close(next);
                    }
                    if (last && (flags & Libc.O_NOFOLLOW) != 0) {
                        // O_PATH | O_NOFOLLOW names the link itself; anything else wanted the target
                        return (flags & Libc.O_PATH) != 0
                                ? LIBC.openat(dir, name, flags | Libc.O_CLOEXEC, mode) : -Errno.ELOOP.code();
                    }
                    if (walk == Walk.NO_SYMLINKS || ++links > MAXSYMLINKS) {
                        return -Errno.ELOOP.code();
                    }
                    String target = readlink(dir, name);
                    if (target == null) {
                        return -Libc.errno();
                    }
                    if (target.startsWith("/")) {
                        return -Errno.EXDEV.code();
                    }
                    String[] parts = target.split("/", -1);
                    for (int i = parts.length - 1; i >= 0; i--) {
                        todo.addFirst(parts[i]);
                    }
                    continue;
                }
                if (next < 0) {
                    return -errno;
                }
                if (last) {
                    return next;
                }
                stack.addLast(next);
            }
            return reopen(stack.isEmpty() ? start : stack.peekLast(), flags, mode);
        } finally {
            for (int dir : stack) {
                LIBC.close(dir);
            }
        }
    }

    /** The directory {@code dir} itself, with the caller's flags. */
    private static int reopen(int dir, int flags, int mode) {
        int rc = LIBC.openat(dir, ".", flags | Libc.O_CLOEXEC, mode);
        return rc < 0 ? -Libc.errno() : rc;
    }

    private static String readlink(int dir, String name) {
        Pointer buf = Memory.allocateDirect(Libc.RUNTIME, PATH_MAX, true);
        long n = LIBC.readlinkat(dir, name, buf, PATH_MAX);
        return n < 0 ? null : buf.getString(0, (int) n, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
