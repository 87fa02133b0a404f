package org.denyfs.kernel.control;

import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.Stat;
import org.denyfs.kernel.passthrough.BackingRoot;

/**
 * Control-request PATHs to backing files, each resolved <em>once</em>: the kernel walks the path
 * beneath the backing root ({@link BackingRoot.Walk#BENEATH}: symlinks are followed while they stay
 * beneath it) into one {@code O_PATH} descriptor, and everything a verb checks or acts on comes from
 * that descriptor: {@code fstat} gives the inode, mode and owner; finit reads through a descriptor
 * reopened from it ({@code /proc/self/fd/N}, the same open file, so no path is walked again). A
 * symlink swapped in after the resolution cannot move the request to another file, and none can
 * lead outside BACKING, though the daemon runs as root.
 *
 * <p>{@code O_PATH} opens nothing: a FIFO does not block and a device sees no open(2) until the
 * file is known to be regular, and only finit's own reopen ever opens it for reading.
 *
 * <p>Errors (the reply names the request's PATH, never a backing path): leaving the mount (".."
 * above the root, an absolute symlink, a symlink climbing out) is EINVAL "resolves outside the
 * mount"; a symlink loop or a magic link is ELOOP; a missing file ENOENT; a directory or any other
 * non-regular file EINVAL; a path naming the control tree EINVAL.
 *
 * <p>Thread-safety: stateless apart from the immutable root; any FUSE worker may call it. The root
 * belongs to the caller (the mount's Passthrough), who closes it.
 */
final class ControlPaths implements Resolver {
    /** openat2 says EAGAIN when a rename raced a ".." it walked; the kernel suggests trying again. */
    private static final int ATTEMPTS = 16;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int O_NOCTTY = 0400;
    private static final Libc LIBC = Libc.INSTANCE;

    private final BackingRoot root;

    ControlPaths(BackingRoot root) {
        this.root = root;
    }

    /** The file PATH names: its inode and attributes, from one descriptor closed before this returns. */
    @Override
    public Target resolve(String requestPath) {
        int fd = openPath(requestPath);
        try {
            return stat(fd, requestPath, -1);
        } finally {
            LIBC.close(fd);
        }
    }

    /**
     * The file PATH names, with a descriptor of it open for reading ({@link Target#fd()}), for finit:
     * the module read is the inode the checks saw. The caller closes the target.
     */
    Target openForReading(String requestPath) {
        int pathFd = openPath(requestPath);
        try {
            stat(pathFd, requestPath, -1).close(); // regular file, before anything opens it
            // The same open file, upgraded: no path is walked again, so nothing can be swapped in.
            int fd = LIBC.open("/proc/self/fd/" + pathFd, Libc.O_RDONLY | O_NOCTTY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                throw failure(requestPath, Libc.errno());
            }
            try {
                return stat(fd, requestPath, fd);
            } catch (RuntimeException e) {
                LIBC.close(fd);
                throw e;
            }
        } finally {
            LIBC.close(pathFd);
        }
    }

    /** The O_PATH descriptor PATH resolves to beneath the root, or the request's error. */
    private int openPath(String requestPath) {
        if (requestPath.indexOf('\0') >= 0) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": holds a NUL byte");
        }
        if (VirtualTree.isVirtual(Path.of("/").resolve(requestPath).normalize().toString())) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": names the control tree, not a file");
        }
        String relative = stripLeadingSlashes(requestPath);
        int rc = -Errno.EAGAIN.code();
        for (int i = 0; i < ATTEMPTS && rc == -Errno.EAGAIN.code(); i++) {
            rc = root.open(relative, Libc.O_PATH, 0, BackingRoot.Walk.BENEATH);
        }
        if (rc < 0) {
            throw failure(requestPath, -rc);
        }
        return rc;
    }

    /** fstat of {@code fd}: a Target keeping {@code keep} (or none for -1); EINVAL unless a regular file. */
    private static Target stat(int fd, String requestPath, int keep) {
        Pointer st = Stat.allocate();
        if (LIBC.fstat(fd, st) != 0) {
            throw failure(requestPath, Libc.errno());
        }
        int mode = st.getInt(Stat.ST_MODE);
        if ((mode & S_IFMT) != S_IFREG) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": not a regular file");
        }
        InodeKey key = Stat.key(st);
        int uid = st.getInt(Stat.ST_UID);
        int gid = st.getInt(Stat.ST_GID);
        return keep < 0 ? new Target(key, mode, uid, gid) : new Target(key, mode, uid, gid, keep, LIBC::close);
    }

    /** The reply for a resolution that failed with {@code errno}, naming only the request's PATH. */
    static ErrnoException failure(String requestPath, int errno) {
        if (errno == Errno.EXDEV.code()) {
            return new ErrnoException(Errno.EINVAL, requestPath + ": resolves outside the mount");
        }
        if (errno == Errno.ENOENT.code()) {
            return new ErrnoException(Errno.ENOENT, requestPath);
        }
        Errno e = Errno.of(errno);
        return e == null ? new ErrnoException(Errno.EIO, requestPath + ": errno " + errno)
                : new ErrnoException(e, requestPath + ": " + e.message());
    }

    private static String stripLeadingSlashes(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }
}
