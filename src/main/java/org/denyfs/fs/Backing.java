package org.denyfs.fs;

import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.control.Resolver;
import org.denyfs.control.Target;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;

/** The backing directory as control requests name it, and backing files' inode keys. */
final class Backing implements Resolver {
    /** sizeof(struct stat) on x86-64; st_dev at 0, st_ino at 8, st_mode at 24, st_uid 28, st_gid 32. */
    static final int STAT_SIZE = 144;
    private static final ThreadLocal<Pointer> STAT = ThreadLocal.withInitial(
            () -> Memory.allocateDirect(Libc.RUNTIME, STAT_SIZE));
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    private final String root;
    private final Path realRoot;
    private final Libc libc = Libc.INSTANCE;

    Backing(Path root) {
        this.root = root.toAbsolutePath().normalize().toString();
        try {
            this.realRoot = root.toRealPath();
        } catch (java.io.IOException e) {
            throw new ErrnoException(Errno.ENOENT, "backing directory " + root, e);
        }
    }

    String root() {
        return root;
    }

    /** FUSE hands us absolute paths inside the mount ("/a/b"); the root itself is "/". */
    String path(String fusePath) {
        return fusePath.equals("/") ? root : root + fusePath;
    }

    /** The inode an open backing fd refers to: no race with a rename of the path. */
    static InodeKey keyOf(int fd) {
        Pointer st = STAT.get();
        if (Libc.INSTANCE.fstat(fd, st) != 0) {
            throw Errnos.lastError("fstat");
        }
        return new InodeKey(st.getLong(0), st.getLong(8));
    }

    /**
     * Resolves a control-request path: relative to the mount root, symlinks followed as open(2)
     * would, never out of the backing directory. The control tree itself cannot be named.
     */
    @Override
    public Target resolve(String requestPath) {
        String inside = Path.of("/").resolve(requestPath).normalize().toString();
        if (requestPath.contains("\0") || escapes(requestPath)) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": path escapes the mount");
        }
        if (VirtualTree.isVirtual(inside)) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": names the control tree, not a file");
        }
        String backing = path(inside);
        Path real;
        try {
            real = Path.of(backing).toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ErrnoException(Errno.ENOENT, requestPath);
        } catch (java.io.IOException e) {
            throw new ErrnoException(Errno.EACCES, requestPath + ": " + e.getMessage());
        }
        if (!real.startsWith(realRoot)) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": resolves outside the mount");
        }
        Pointer st = STAT.get();
        if (libc.stat(real.toString(), st) != 0) {
            throw Errnos.lastError(requestPath);
        }
        int mode = st.getInt(24);
        if ((mode & S_IFMT) != S_IFREG) {
            throw new ErrnoException(Errno.EINVAL, requestPath + ": not a regular file");
        }
        return new Target(new InodeKey(st.getLong(0), st.getLong(8)), mode, st.getInt(28), st.getInt(32));
    }

    /** True if ".." components climb above the mount root, as the kernel would refuse for us. */
    private static boolean escapes(String requestPath) {
        int depth = 0;
        for (String part : requestPath.split("/")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }
}
