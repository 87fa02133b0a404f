package org.denyfs.kernel.passthrough;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.kernel.control.VirtualTree;
import org.denyfs.kernel.natives.Backing;
import org.denyfs.kernel.natives.Libc;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * An open backing directory (OPENDIR to RELEASEDIR): a listing reads the directory the opendir
 * found, so it survives a rename of the path, and a directory removed while open lists empty, as
 * natively. Each entry goes to libfuse with its inode number and type (d_ino, d_type), so the
 * mount's readdir gives what the backing one gives, never DT_UNKNOWN.
 */
public final class DirHandle implements Handle {
    /** glibc's struct dirent on x86-64: d_ino 0, d_off 8, d_reclen 16, d_type 18, d_name 19. */
    private static final int D_INO = 0;
    private static final int D_TYPE = 18;
    private static final int D_NAME = 19;
    private static final Libc LIBC = Libc.INSTANCE;

    private final Pointer dir;
    private final boolean root;
    private boolean closed;

    /** @param root the mount root, whose listing leaves out the control tree's name */
    public DirHandle(Pointer dir, boolean root) {
        this.dir = dir;
        this.root = root;
    }

    /** Lists every entry from the start (libfuse asks again from offset 0 after a rewinddir). */
    public synchronized int list(Pointer buf, FuseFillDir filler) {
        if (closed) {
            return -Errno.EBADF.code();
        }
        LIBC.rewinddir(dir);
        FileStat stat = FileStat.of(Memory.allocateDirect(Libc.RUNTIME, Backing.STAT_SIZE, true));
        for (Pointer entry = LIBC.readdir(dir); entry != null; entry = LIBC.readdir(dir)) {
            String name = entry.getString(D_NAME, 256, StandardCharsets.UTF_8);
            if (root && name.equals(VirtualTree.DIR_NAME)) {
                continue;
            }
            stat.st_ino.set(entry.getLong(D_INO));
            stat.st_mode.set((entry.getByte(D_TYPE) & 0xff) << 12);
            if (filler.apply(buf, name, stat, 0) != 0) {
                break;
            }
        }
        return 0;
    }

    @Override
    public int read(Pointer buf, long size, long offset) {
        return -Errno.EISDIR.code();
    }

    @Override
    public int write(Pointer buf, long size, long offset) {
        return -Errno.EISDIR.code();
    }

    @Override
    public synchronized void release() {
        if (!closed) {
            closed = true;
            LIBC.closedir(dir);
        }
    }
}
