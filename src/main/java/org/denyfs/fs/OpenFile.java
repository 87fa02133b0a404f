package org.denyfs.fs;

import jnr.ffi.Pointer;
import org.denyfs.core.Hold;
import org.denyfs.core.Inodes;

/**
 * A backing file opened through the mount: its fd, and the write access or deny the open took
 * (null for a plain read-only open). The fd stays here until RELEASE, as in passthrough_hp.
 */
final class OpenFile implements Handle {
    private static final Libc LIBC = Libc.INSTANCE;

    final int fd;
    final Hold hold;
    private final Inodes inodes;
    /** System.nanoTime() of the newest FLUSH, 0 if none: measures how late RELEASE arrives. */
    volatile long lastFlushNanos;

    OpenFile(int fd, Hold hold, Inodes inodes) {
        this.fd = fd;
        this.hold = hold;
        this.inodes = inodes;
    }

    @Override
    public int read(Pointer buf, long size, long offset) {
        return Errnos.check(LIBC.pread(fd, buf, size, offset));
    }

    @Override
    public int write(Pointer buf, long size, long offset) {
        return Errnos.check(LIBC.pwrite(fd, buf, size, offset));
    }

    @Override
    public void release() {
        try {
            LIBC.close(fd);
        } finally {
            if (hold != null) {
                inodes.release(hold);
            }
        }
    }
}
