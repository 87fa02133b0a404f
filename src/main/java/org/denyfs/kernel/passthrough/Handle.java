package org.denyfs.kernel.passthrough;
import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;

/** What a FUSE file handle ({@code fi->fh}) stands for: a backing file, or a virtual file. */
public interface Handle {
    int read(Pointer buf, long size, long offset);

    int write(Pointer buf, long size, long offset);

    /**
     * A denyfs ioctl ({@code abi.Abi.IOC_*}) on this handle; {@code data} is the kernel's
     * buffer of {@code _IOC_SIZE(cmd)} bytes. Files that are not backing files have none.
     */
    default int ioctl(int cmd, Pointer data, Caller caller) {
        return -Errno.ENOTTY.code();
    }

    /** At every close(2) of a descriptor of this handle (FUSE FLUSH, synchronous). */
    default void flush() {}

    /** System.nanoTime() of this handle's newest FLUSH, 0 if none: where its release lag starts. */
    default long lastFlushNanos() {
        return 0;
    }

    /** Called once, at FUSE RELEASE: undo exactly what the open did. */
    void release();
}
