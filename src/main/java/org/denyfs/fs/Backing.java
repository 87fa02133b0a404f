package org.denyfs.fs;

import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;

/** The backing directory: FUSE paths to backing paths, and backing files to their inode keys. */
final class Backing {
    /** sizeof(struct stat) on x86-64; st_dev at 0, st_ino at 8, st_mode at 24, st_uid 28, st_gid 32. */
    static final int STAT_SIZE = 144;
    private static final ThreadLocal<Pointer> STAT = ThreadLocal.withInitial(
            () -> Memory.allocateDirect(Libc.RUNTIME, STAT_SIZE));
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    private final String root;
    private final Path realRoot;
    private final Libc libc = Libc.INSTANCE;
    /** The backing directory, open for the mount's life: raw opens go relative to it (openat). */
    private final int rootFd;
    /** The root as bytes, the prefix of every absolute path: none for "/", whose FUSE paths are already backing paths. */
    private final byte[] rootBytes;

    Backing(Path root) {
        this.root = root.toAbsolutePath().normalize().toString();
        try {
            this.realRoot = root.toRealPath();
        } catch (java.io.IOException e) {
            throw new ErrnoException(Errno.ENOENT, "backing directory " + root, e);
        }
        this.rootBytes = this.root.equals("/") ? new byte[0] : this.root.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.rootFd = libc.open(this.root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (rootFd < 0) {
            throw Errnos.lastError("open " + this.root);
        }
    }

    /** PATH_MAX: the kernel never sends a longer path, libfuse never builds one. */
    private static final int PATH_MAX = 4096;
    private static final com.kenai.jffi.MemoryIO MEMORY = com.kenai.jffi.MemoryIO.getInstance();
    /** Per FUSE worker: the backing root's bytes, then room for a FUSE path and its NUL. */
    private final ThreadLocal<Pointer> absolute = ThreadLocal.withInitial(this::rootPrefixed);

    private Pointer rootPrefixed() {
        Pointer p = Memory.allocateDirect(Libc.RUNTIME, rootBytes.length + PATH_MAX + 1);
        p.put(0, rootBytes, 0, rootBytes.length);
        return p;
    }

    /**
     * The backing path of the FUSE path at {@code fusePath} ("/a/b", a C string in libfuse's
     * memory), as a C string in this thread's buffer: valid until this thread's next call.
     * For lstat and lgetxattr: the l*xattr calls have no *at form, and one path builder serves both.
     *
     * @return its address, or 0 if the path is longer than PATH_MAX
     */
    long absolute(long fusePath) {
        long length = MEMORY.indexOf(fusePath, (byte) 0, PATH_MAX + 1);
        if (length < 0) {
            return 0;
        }
        long address = absolute.get().address();
        MEMORY.copyMemory(fusePath, address + rootBytes.length, length + 1);
        return address;
    }

    /** Once the mount is gone: no raw open may follow. */
    void close() {
        libc.close(rootFd);
    }

    /**
     * Opens the backing file of FUSE path {@code fusePath}, a C string at that address ("/a/b",
     * never "/": directories are opened with OPENDIR), without decoding it.
     */
    int openRaw(long fusePath, int flags, int mode) {
        return libc.openat(rootFd, fusePath + 1, flags, mode);
    }

    String root() {
        return root;
    }

    /** FUSE hands us absolute paths inside the mount ("/a/b"); the root itself is "/". */
    String path(String fusePath) {
        return fusePath.equals("/") ? root : root + fusePath;
    }

    /** The inode an open backing fd refers to: no race with a rename of the path. */
    InodeKey keyOf(int fd) {
        Pointer st = STAT.get();
        if (libc.fstat(fd, st) != 0) {
            throw Errnos.lastError("fstat");
        }
        return new InodeKey(st.getLong(0), st.getLong(8));
    }
}
