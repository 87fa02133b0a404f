package org.denyfs.kernel.passthrough;

import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;

/**
 * What a FUSE file handle ({@code fi->fh}) stands for: a backing file or directory (this package's
 * handles), or a file of the control tree (kernel.control's). Reads and writes take libfuse's
 * buffer as a raw address, so a backing file's need no object per request.
 */
public interface Handle {
    /** READ of up to {@code size} bytes at {@code offset} into {@code buf}: the count, or -errno. */
    int read(long buf, long size, long offset);

    /** WRITE of {@code size} bytes from {@code buf} at {@code offset}: the count, or -errno. */
    int write(long buf, long size, long offset);

    /**
     * A denyfs ioctl ({@code abi.Abi.IOC_*}) on this handle; {@code data} is the kernel's
     * buffer of {@code _IOC_SIZE(cmd)} bytes. Only backing files have them.
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
