package org.denyfs.kernel.passthrough;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Errno;
import org.denyfs.kernel.natives.Dirent;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.Stat;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;

/**
 * An open backing directory (OPENDIR to RELEASEDIR): a listing reads the directory the opendir
 * found, so it survives a rename of the path, and a directory removed while open lists empty, as
 * natively. Each entry goes to libfuse with its inode number and type (d_ino, d_type), so the
 * mount's readdir gives what the backing one gives, never DT_UNKNOWN.
 */
final class DirHandle implements Handle {
    private static final Libc LIBC = Libc.INSTANCE;

    private final Pointer dir;
    /** A name the listing leaves out (the control tree's, in the mount root), or null. */
    private final String hidden;
    private boolean closed;

    DirHandle(Pointer dir, String hidden) {
        this.dir = dir;
        this.hidden = hidden;
    }

    /** Lists every entry from the start (libfuse asks again from offset 0 after a rewinddir). */
    synchronized int list(Pointer buf, FuseFillDir filler) {
        if (closed) {
            return -Errno.EBADF.code();
        }
        LIBC.rewinddir(dir);
        Pointer st = Stat.allocate();
        FileStat stat = FileStat.of(st); // the filler's type; the fields are set through Stat's layout
        for (Pointer entry = LIBC.readdir(dir); entry != null; entry = LIBC.readdir(dir)) {
            String name = entry.getString(Dirent.D_NAME, Dirent.NAME_MAX_BYTES, StandardCharsets.UTF_8);
            if (name.equals(hidden)) {
                continue;
            }
            st.putLong(Stat.ST_INO, entry.getLong(Dirent.D_INO));
            st.putInt(Stat.ST_MODE, (entry.getByte(Dirent.D_TYPE) & 0xff) << 12); // DT_* is S_IF* >> 12
            if (filler.apply(buf, name, stat, 0) != 0) {
                break;
            }
        }
        return 0;
    }

    @Override
    public int read(long buf, long size, long offset) {
        return -Errno.EISDIR.code();
    }

    @Override
    public int write(long buf, long size, long offset) {
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
