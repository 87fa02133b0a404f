package org.denyfs.kernel.natives;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;
import org.denyfs.kernel.fuse.Errnos;

/** The backing directory's path, and backing files' inode keys (control requests: ControlPaths). */
public final class Backing {
    /** sizeof(struct stat) on x86-64; st_dev at 0, st_ino at 8, st_mode at 24, st_uid 28, st_gid 32. */
    public static final int STAT_SIZE = 144;
    private static final ThreadLocal<Pointer> STAT = ThreadLocal.withInitial(
            () -> Memory.allocateDirect(Libc.RUNTIME, STAT_SIZE));

    private final String root;
    private final Path realRoot;

    public Backing(Path root) {
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
    public static InodeKey keyOf(int fd) {
        Pointer st = STAT.get();
        if (Libc.INSTANCE.fstat(fd, st) != 0) {
            throw Errnos.lastError("fstat");
        }
        return new InodeKey(st.getLong(0), st.getLong(8));
    }
}
