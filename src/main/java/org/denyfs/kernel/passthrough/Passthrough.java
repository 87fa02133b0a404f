package org.denyfs.kernel.passthrough;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.kernel.natives.FuseContext;
import org.denyfs.kernel.natives.FuseInHeader;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.natives.Stat;
import org.denyfs.kernel.natives.XattrArgs;

/**
 * What each FUSE operation does to the backing directory, and nothing else (the write-count rules
 * sit beside it, in {@link OpenFiles}). Every call is an {@code *at} call on a directory descriptor
 * resolved beneath the backing root ({@link BackingRoot}, symlinks refused) and the last
 * component of the request's path, so a path is never rebuilt into an absolute one (no
 * ENAMETOOLONG below PATH_MAX, no symlink swapped in between a check and a use can send a call
 * outside BACKING), and the final component is never followed ({@code AT_SYMLINK_NOFOLLOW}): the
 * kernel resolved every symlink on the mount before it sent the request.
 *
 * <p>Calls that create, remove or change an entry run as the caller ({@link Credentials}), so the
 * backing file system decides ownership, modes and errors exactly as it would for that process.
 * Files that lost their last name while open are reached through {@link HiddenFiles}.
 *
 * <p>Every method returns 0 (or a count) or {@code -errno}; none throws for a failing syscall.
 */
public final class Passthrough implements AutoCloseable {
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_REMOVEDIR = 0x200;
    static final int AT_EACCESS = 0x200;
    static final int AT_EMPTY_PATH = 0x1000;
    static final long SYS_FCHMODAT2 = 452;
    static final long SYS_SETXATTRAT = 463;
    static final long SYS_GETXATTRAT = 464;
    static final long SYS_LISTXATTRAT = 465;
    static final long SYS_REMOVEXATTRAT = 466;
    private static final int S_IFMT = 0170000;
    private static final byte[] CAPABILITY = "security.capability\0".getBytes(StandardCharsets.US_ASCII);

    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Libc LIBC = Libc.INSTANCE;
    private static final ThreadLocal<Pointer> XATTR_ARGS = ThreadLocal.withInitial(
            () -> Memory.allocateDirect(Libc.RUNTIME, XattrArgs.BYTES, true));

    private final BackingRoot root;
    private final HiddenFiles hidden = new HiddenFiles();
    private final ReplyFilter filter;
    private final BackingIds backingIds;
    private static final ThreadLocal<Pointer> REMOVED = ThreadLocal.withInitial(Stat::allocate);
    /** False once the kernel said ENOSYS to the *xattrat calls (before Linux 6.13). */
    private volatile boolean xattrAt = true;
    /** False once the kernel said ENOSYS to fchmodat2 (before Linux 6.6). */
    private volatile boolean fchmodat2 = true;

    public Passthrough(BackingRoot root, ReplyFilter filter) {
        this(root, filter, null);
    }

    /** @param backingIds told of a name about to go, whose inode may have a parked backing id (null: none) */
    public Passthrough(BackingRoot root, ReplyFilter filter, BackingIds backingIds) {
        this.root = root;
        this.filter = filter;
        this.backingIds = backingIds;
    }

    /** Before a name goes (UNLINK, RENAME over it): a parked backing id of its inode's last link goes too. */
    private void forgetParkedId(Entry e) {
        if (backingIds == null || !backingIds.anyIdle()) {
            return;
        }
        Pointer st = REMOVED.get();
        if (LIBC.fstatat(e.dir, e.name, st, AT_SYMLINK_NOFOLLOW) == 0
                && (Stat.mode(st) & Stat.S_IFMT) == Stat.S_IFREG) {
            backingIds.forgetIfLastLink(Stat.key(st), st.getLong(Stat.ST_NLINK));
        }
    }

    BackingRoot root() {
        return root;
    }

    int hiddenCount() {
        return hidden.size();
    }

    // ---- resolution -------------------------------------------------------------------------

    /**
     * A request path's last component and the backing directory holding it. For the root, and for
     * a hidden file, the directory is the entry itself and the name is empty (AT_EMPTY_PATH).
     */
    private static final class Entry implements AutoCloseable {
        final int dir;
        final String name;
        final int flags;
        private final boolean owned;

        Entry(int dir, String name, int flags, boolean owned) {
            this.dir = dir;
            this.name = name;
            this.flags = flags;
            this.owned = owned;
        }

        @Override
        public void close() {
            if (owned && dir >= 0) {
                LIBC.close(dir);
            }
        }
    }

    /** Resolves {@code fusePath}; on failure the entry's {@link Entry#dir} is {@code -errno}. */
    private Entry entry(String fusePath) {
        int h = hidden.fd(fusePath);
        if (h >= 0) {
            return new Entry(h, "", AT_EMPTY_PATH, false);
        }
        int slash = fusePath.lastIndexOf('/');
        String name = fusePath.substring(slash + 1);
        if (name.isEmpty()) {
            return new Entry(root.fd(), "", AT_EMPTY_PATH, false);
        }
        if (slash <= 0) {
            return new Entry(root.fd(), name, AT_SYMLINK_NOFOLLOW, false);
        }
        int dir = root.open(fusePath.substring(1, slash), Libc.O_PATH | Libc.O_DIRECTORY, 0, BackingRoot.Walk.NO_SYMLINKS);
        return new Entry(dir, name, AT_SYMLINK_NOFOLLOW, true);
    }

    private static int check(int rc) {
        return rc == -1 ? -Libc.errno() : rc;
    }

    private static int check(long rc) {
        return rc == -1 ? -Libc.errno() : (int) rc;
    }

    /** The caller of the request being served, with its umask, for calls that change BACKING. */
    private static Credentials.Scope asCaller() {
        return Credentials.as(FuseContext.caller(), FuseContext.umask());
    }

    // ---- attributes -------------------------------------------------------------------------

    /**
     * GETATTR of the FUSE path at {@code path} (a C string in libfuse's buffer) into libfuse's
     * {@code struct stat} at {@code stat}: the most frequent request, so nothing is decoded and
     * nothing allocated. A name directly in the root needs no walk at all.
     */
    public int getattr(long path, long stat) {
        int h = hidden.fd(path);
        if (h >= 0) {
            return check(LIBC.fstat(h, stat));
        }
        long length = length(path);
        if (length == 1) {
            return check(LIBC.fstat(root.fd(), stat));
        }
        long slash = lastSlash(path, length);
        if (slash == 0) {
            return check(LIBC.fstatat(root.fd(), path + 1, stat, AT_SYMLINK_NOFOLLOW));
        }
        int dir = root.openDirectoryOf(path, slash);
        if (dir < 0) {
            return dir;
        }
        try {
            return check(LIBC.fstatat(dir, path + slash + 1, stat, AT_SYMLINK_NOFOLLOW));
        } finally {
            LIBC.close(dir);
        }
    }

    /** strlen of a FUSE path: deeper than PATH_MAX is legal (libfuse joins the kernel's names). */
    private static long length(long path) {
        long n = MEMORY.indexOf(path, (byte) 0, BackingRoot.PATH_MAX + 1);
        return n >= 0 ? n : MEMORY.indexOf(path, (byte) 0, Integer.MAX_VALUE);
    }

    private static long lastSlash(long path, long length) {
        long i = length - 1;
        while (i > 0 && MEMORY.getByte(path + i) != '/') {
            i--;
        }
        return i;
    }

    public int chmod(String path, int mode) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            if (fchmodat2) {
                long rc = LIBC.syscall(SYS_FCHMODAT2, e.dir, cString(0, e.name), mode, e.flags);
                if (rc == 0 || Libc.errno() != Errno.ENOSYS.code()) {
                    return check(rc);
                }
                fchmodat2 = false;
            }
            return chmodByProc(e, mode);
        }
    }

    /** chmod before fchmodat2 (Linux 6.6): through /proc/self/fd of an O_PATH descriptor, never a symlink's target. */
    private static int chmodByProc(Entry e, int mode) {
        int fd = e.name.isEmpty() ? LIBC.dup(e.dir) : LIBC.openat(e.dir, e.name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            return -Libc.errno();
        }
        try {
            if (Stat.isSymlink(fd)) {
                return -Errno.EOPNOTSUPP.code();
            }
            return check(LIBC.chmod("/proc/self/fd/" + fd, mode));
        } finally {
            LIBC.close(fd);
        }
    }

    public int chown(String path, int uid, int gid) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            return e.dir < 0 ? e.dir : check(LIBC.fchownat(e.dir, e.name, uid, gid, e.flags));
        }
    }

    /** {@code times} is libfuse's struct timespec[2], UTIME_NOW and UTIME_OMIT included (utime_omit_ok). */
    public int utimens(String path, Pointer times) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            return e.dir < 0 ? e.dir : check(LIBC.utimensat(e.dir, e.name, times, e.flags));
        }
    }

    public int readlink(String path, Pointer buf, long size) {
        try (Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            long n = LIBC.readlinkat(e.dir, e.name, buf, size - 1);
            if (n < 0) {
                return -Libc.errno();
            }
            buf.putByte(n, (byte) 0);
            return 0;
        }
    }

    public int access(String path, int mask) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            return e.dir < 0 ? e.dir : check(LIBC.faccessat(e.dir, e.name.isEmpty() ? "." : e.name, mask, AT_EACCESS | AT_SYMLINK_NOFOLLOW));
        }
    }

    public int statfs(Pointer statvfs) {
        return check(LIBC.fstatvfs(root.fd(), statvfs));
    }

    // ---- names ------------------------------------------------------------------------------

    public int mkdir(String path, int mode) {
        int umask = FuseContext.umask();
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            return e.dir < 0 ? e.dir : check(LIBC.mkdirat(e.dir, e.name, Credentials.createMode(mode, umask)));
        }
    }

    public int mknod(String path, int mode, long rdev) {
        int umask = FuseContext.umask();
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            int perm = Credentials.createMode(mode & 07777, umask);
            return e.dir < 0 ? e.dir : check(LIBC.mknodat(e.dir, e.name, (mode & S_IFMT) | perm, rdev));
        }
    }

    public int symlink(String target, String path) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            return e.dir < 0 ? e.dir : check(LIBC.symlinkat(target, e.dir, e.name));
        }
    }

    public int unlink(String path) {
        if (hidden.forget(path)) {
            return 0; // libfuse's unlink of a hidden file at its last release: its name went long ago
        }
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            forgetParkedId(e);
            return check(LIBC.unlinkat(e.dir, e.name, 0));
        }
    }

    public int rmdir(String path) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            return e.dir < 0 ? e.dir : check(LIBC.unlinkat(e.dir, e.name, AT_REMOVEDIR));
        }
    }

    /**
     * RENAME, and libfuse's "hide" of an open file (see {@link HiddenFiles}): within an UNLINK it
     * means "unlink {@code from}, keep it reachable as {@code to}"; within a RENAME whose new name is
     * not {@code to}'s, "the rename about to follow replaces {@code from}: keep it reachable as
     * {@code to}". The real rename that follows then replaces the file atomically, as natively.
     */
    public int rename(String from, String to) {
        int opcode = filter.opcode();
        if (opcode == FuseInHeader.FUSE_UNLINK) {
            return hide(from, to, true);
        }
        if (opcode == FuseInHeader.FUSE_RENAME && !lastComponent(to).equals(filter.renameTo())) {
            return hide(from, to, false);
        }
        try (Credentials.Scope as = asCaller(); Entry a = entry(from); Entry b = entry(to)) {
            if (a.dir < 0) {
                return a.dir;
            }
            if (b.dir < 0) {
                return b.dir;
            }
            forgetParkedId(b);
            return check(LIBC.renameat(a.dir, a.name, b.dir, b.name));
        }
    }

    private int hide(String path, String hiddenPath, boolean unlink) {
        try (Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            // Only open files are hidden, and only regular files are opened through FUSE.
            int fd = LIBC.openat(e.dir, e.name, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | O_NONBLOCK, 0);
            if (fd < 0) {
                return -Libc.errno();
            }
            if (unlink) {
                int rc;
                try (Credentials.Scope as = asCaller()) {
                    rc = check(LIBC.unlinkat(e.dir, e.name, 0));
                }
                if (rc != 0) {
                    LIBC.close(fd);
                    return rc;
                }
            }
            hidden.hide(hiddenPath, fd);
            return 0;
        }
    }

    private static final int O_NONBLOCK = 04000;

    public int link(String from, String to) {
        try (Credentials.Scope as = asCaller(); Entry a = entry(from); Entry b = entry(to)) {
            if (a.dir < 0) {
                return a.dir;
            }
            int flags = a.name.isEmpty() ? AT_EMPTY_PATH : 0;
            return b.dir < 0 ? b.dir : check(LIBC.linkat(a.dir, a.name, b.dir, b.name, flags));
        }
    }

    // ---- files ------------------------------------------------------------------------------

    /**
     * OPEN of an existing file, its FUSE path a C string at {@code path}: the kernel checked the
     * caller's permission already, so the daemon opens it as itself. O_CREAT and O_EXCL never
     * reach OPEN (CREATE has them); the final component is never a symlink.
     *
     * @return the fd, or -errno
     */
    int open(long path, int flags) {
        int h = hidden.fd(path);
        int clean = flags & ~(OpenFiles.FMODE_EXEC | Libc.O_CREAT | Libc.O_EXCL);
        if (h >= 0) {
            return reopen(h, clean);
        }
        return root.open(path + 1, clean | Libc.O_NOFOLLOW, 0, BackingRoot.Walk.NO_SYMLINKS);
    }

    /** A new open file description of a hidden file (open of /proc/PID/fd/N on the mount). */
    private static int reopen(int fd, int flags) {
        int rc = LIBC.open("/proc/self/fd/" + fd, flags | Libc.O_CLOEXEC, 0);
        return rc < 0 ? -Libc.errno() : rc;
    }

    /** CREATE: as the caller, with the caller's mode and umask. @return the fd, or -errno */
    int create(String path, int flags, int mode) {
        int umask = FuseContext.umask();
        try (Credentials.Scope as = asCaller()) {
            return root.open(path.substring(1), (flags & ~OpenFiles.FMODE_EXEC) | Libc.O_CREAT | Libc.O_NOFOLLOW,
                    Credentials.createMode(mode, umask), BackingRoot.Walk.NO_SYMLINKS);
        }
    }

    /** truncate(2) by path: the file opened for write as the caller. @return the fd, or -errno */
    int openForTruncate(String path) {
        try (Credentials.Scope as = asCaller()) {
            int h = hidden.fd(path);
            if (h >= 0) {
                return reopen(h, Libc.O_WRONLY);
            }
            return root.open(path.substring(1), Libc.O_WRONLY | Libc.O_NOFOLLOW, 0, BackingRoot.Walk.NO_SYMLINKS);
        }
    }

    /** OPENDIR: the directory itself, so a listing survives a rename of its path. @return the fd, or -errno */
    int openDirectory(String path) {
        String relative = path.equals("/") ? "." : path.substring(1);
        return root.open(relative, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW, 0, BackingRoot.Walk.NO_SYMLINKS);
    }

    // ---- extended attributes ----------------------------------------------------------------

    /**
     * GETXATTR with libfuse's own strings and buffer: on the write path (the kernel asks for
     * security.capability before every write(2)), so nothing is decoded. The kernel has already
     * checked the caller's right to read the attribute (xattr_permission on the mount's inode).
     */
    public int getxattr(long path, long name, long value, long size) {
        int h = hidden.fd(path);
        if (h >= 0) {
            return check(LIBC.fgetxattr(h, name, value, size));
        }
        long length = length(path);
        long slash = lastSlash(path, length);
        int dir = length == 1 || slash == 0 ? root.fd() : root.openDirectoryOf(path, slash);
        if (dir < 0) {
            return dir;
        }
        try {
            long entry = length == 1 ? DOT : path + slash + 1;
            if (xattrAt) {
                long args = XATTR_ARGS.get().address();
                MEMORY.putLong(args + XattrArgs.VALUE, value);
                MEMORY.putInt(args + XattrArgs.SIZE, (int) size);
                MEMORY.putInt(args + XattrArgs.FLAGS, 0);
                long rc = LIBC.syscall(SYS_GETXATTRAT, dir, entry, AT_SYMLINK_NOFOLLOW, name, args, XattrArgs.BYTES);
                if (rc >= 0 || Libc.errno() != Errno.ENOSYS.code()) {
                    return check(rc);
                }
                xattrAt = false;
            }
            return byProc(dir, Pointer.wrap(Libc.RUNTIME, entry).getString(0), -Errno.ENODATA.code(),
                    p -> check(LIBC.getxattr(p, name, value, size)));
        } finally {
            if (dir != root.fd()) {
                LIBC.close(dir);
            }
        }
    }

    private static final long DOT = Memory.allocateDirect(Libc.RUNTIME, 2, true).address();

    static {
        MEMORY.putByte(DOT, (byte) '.');
    }

    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            if (e.flags == AT_EMPTY_PATH && e.dir != root.fd()) {
                return check(LIBC.fsetxattr(e.dir, name, value, size, flags));
            }
            String entryName = e.name.isEmpty() ? "." : e.name;
            if (xattrAt) {
                long args = XATTR_ARGS.get().address();
                MEMORY.putLong(args + XattrArgs.VALUE, value == null ? 0 : value.address());
                MEMORY.putInt(args + XattrArgs.SIZE, (int) size);
                MEMORY.putInt(args + XattrArgs.FLAGS, flags);
                long rc = LIBC.syscall(SYS_SETXATTRAT, e.dir, cString(0, entryName), AT_SYMLINK_NOFOLLOW, cString(1, name), args, XattrArgs.BYTES);
                if (rc >= 0 || Libc.errno() != Errno.ENOSYS.code()) {
                    return check(rc);
                }
                xattrAt = false;
            }
            return byProc(e.dir, entryName, -Errno.EPERM.code(), p -> check(LIBC.setxattr(p, name, value, size, flags)));
        }
    }

    /** Whether an xattr name is denyfs's own (fs-verity's state, see VerityStore): hidden from every xattr call. */
    public static boolean hidesXattr(String name) {
        return VerityStore.hides(name);
    }

    /** {@link #hidesXattr(String)} for libfuse's C string: one byte read for every name not starting with 't'. */
    public static boolean hidesXattr(long name) {
        return MEMORY.getByte(name) == 't' && VerityStore.hides(Pointer.wrap(Libc.RUNTIME, name).getString(0));
    }

    /**
     * listxattr as the caller, without the trusted.* names a caller lacking CAP_SYS_ADMIN may not
     * see (the backing file system asks the daemon's capabilities, not the caller's), and never
     * denyfs's own.
     */
    public int listxattr(String path, Pointer list, long size) {
        Caller caller = FuseContext.caller();
        boolean admin = caller.uid() == 0 && Credentials.hasSysAdmin(caller.pid()) || !Credentials.ROOT;
        if (admin && !Credentials.ROOT) {
            return listxattrAsCaller(path, list, size);
        }
        int full = listxattrAsCaller(path, null, 0);
        if (full <= 0) {
            return full;
        }
        Pointer all = Memory.allocateDirect(Libc.RUNTIME, full, true);
        int n = listxattrAsCaller(path, all, full);
        if (n < 0) {
            return n == -Errno.ERANGE.code() ? listxattr(path, list, size) : n; // it grew meanwhile
        }
        byte[] names = new byte[n];
        all.get(0, names, 0, n);
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream(n);
        for (int i = 0; i < n; ) {
            int end = i;
            while (end < n && names[end] != 0) {
                end++;
            }
            String name = new String(names, i, end - i, StandardCharsets.UTF_8);
            if (!(admin ? hidesXattr(name) : name.startsWith("trusted."))) {
                seen.write(names, i, Math.min(end + 1, n) - i);
            }
            i = end + 1;
        }
        byte[] visible = seen.toByteArray();
        if (size == 0) {
            return visible.length;
        }
        if (visible.length > size) {
            return -Errno.ERANGE.code();
        }
        list.put(0, visible, 0, visible.length);
        return visible.length;
    }

    private int listxattrAsCaller(String path, Pointer list, long size) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            if (e.flags == AT_EMPTY_PATH && e.dir != root.fd()) {
                return check(LIBC.flistxattr(e.dir, list, size));
            }
            String entryName = e.name.isEmpty() ? "." : e.name;
            if (xattrAt) {
                long rc = LIBC.syscall(SYS_LISTXATTRAT, e.dir, cString(0, entryName), AT_SYMLINK_NOFOLLOW,
                        list == null ? 0 : list.address(), size, 0);
                if (rc >= 0 || Libc.errno() != Errno.ENOSYS.code()) {
                    return check(rc);
                }
                xattrAt = false;
            }
            return byProc(e.dir, entryName, 0, p -> check(LIBC.listxattr(p, list, size)));
        }
    }

    public int removexattr(String path, String name) {
        try (Credentials.Scope as = asCaller(); Entry e = entry(path)) {
            if (e.dir < 0) {
                return e.dir;
            }
            if (e.flags == AT_EMPTY_PATH && e.dir != root.fd()) {
                return check(LIBC.fremovexattr(e.dir, name));
            }
            String entryName = e.name.isEmpty() ? "." : e.name;
            if (xattrAt) {
                long rc = LIBC.syscall(SYS_REMOVEXATTRAT, e.dir, cString(0, entryName), AT_SYMLINK_NOFOLLOW, cString(1, name), 0, 0);
                if (rc >= 0 || Libc.errno() != Errno.ENOSYS.code()) {
                    return check(rc);
                }
                xattrAt = false;
            }
            return byProc(e.dir, entryName, -Errno.EPERM.code(), p -> check(LIBC.removexattr(p, name)));
        }
    }

    /**
     * The xattr calls before Linux 6.13 (no *xattrat): through /proc/self/fd of an O_PATH descriptor
     * of the entry, which lands on the entry's own inode. A symlink is answered {@code onSymlink}
     * rather than risk following it.
     */
    private static int byProc(int dir, String name, int onSymlink, java.util.function.ToIntFunction<String> call) {
        int fd = LIBC.openat(dir, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            return -Libc.errno();
        }
        try {
            return Stat.isSymlink(fd) ? onSymlink : call.applyAsInt("/proc/self/fd/" + fd);
        } finally {
            LIBC.close(fd);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * {@code s} as a C string in this thread's buffer {@code slot} (0: an entry name, 1: an xattr
     * name), valid until the thread's next use of that slot. Per-thread buffers, because jnr frees
     * a direct allocation when its Pointer is collected, which may be while a syscall still reads it.
     */
    private static long cString(int slot, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > BackingRoot.PATH_MAX) {
            bytes = java.util.Arrays.copyOf(bytes, BackingRoot.PATH_MAX); // the kernel refuses it: ENAMETOOLONG/ERANGE
        }
        Pointer p = C_STRINGS.get()[slot];
        p.put(0, bytes, 0, bytes.length);
        p.putByte(bytes.length, (byte) 0);
        return p.address();
    }

    private static final ThreadLocal<Pointer[]> C_STRINGS = ThreadLocal.withInitial(() -> new Pointer[] {
        Memory.allocateDirect(Libc.RUNTIME, BackingRoot.PATH_MAX + 1, true),
        Memory.allocateDirect(Libc.RUNTIME, BackingRoot.PATH_MAX + 1, true)});

    private static String lastComponent(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public void close() {
        root.close();
    }
}
