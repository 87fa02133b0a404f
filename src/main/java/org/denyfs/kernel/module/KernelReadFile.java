package org.denyfs.kernel.module;

import java.io.IOException;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * kernel_read_file() (fs/kernel_read_file.c) for a whole module file: its own
 * deny_write_access()/allow_write_access() pair around the read (nesting inside an exclusive deny:
 * -1, -2, -1), then the size checks, one off-heap buffer of the file's size (charged to the caller's
 * uid, see {@link OffHeap}), and the read.
 */
final class KernelReadFile {
    private KernelReadFile() {}

    static OffHeap.Region read(ModuleFile file, OffHeap heap) {
        return read(file, heap, false);
    }

    /**
     * The read of policy EXCLUSIVE_READ: exclusive_deny_write_access() in place of the read's
     * deny_write_access(), ETXTBSY at once while anybody else denies or writes, dropped after the read.
     */
    static OffHeap.Region readExclusively(ModuleFile file, OffHeap heap) {
        return read(file, heap, true);
    }

    private static OffHeap.Region read(ModuleFile file, OffHeap heap, boolean exclusive) {
        if (!file.regularFile()) {
            throw new ErrnoException(Errno.EINVAL, "kernel_read_file: not a regular file");
        }
        if (file.openedForWrite()) {
            // the handle holds write access itself: the count is positive, deny cannot succeed
            throw new ErrnoException(Errno.ETXTBSY, "deny_write_access: the module's own handle is open for write");
        }
        try (ModuleFile.Denial read = exclusive ? file.exclusiveDenyWrites() : file.denyWrites()) {
            long size;
            try {
                size = file.size();
            } catch (IOException e) {
                throw new ErrnoException(Errno.EIO, "kernel_read_file: " + e.getMessage(), e);
            }
            if (size <= 0) {
                throw new ErrnoException(Errno.EINVAL, "kernel_read_file: empty file");
            }
            if (size > heap.limits().maxImage()) {
                // kernel_read_file()'s max_size (INT_MAX in the kernel, max_module_bytes here)
                throw new ErrnoException(Errno.EFBIG, "kernel_read_file: " + size + " bytes is over max_module_bytes="
                        + heap.limits().maxImage());
            }
            OffHeap.Region buf = heap.allocate((int) size, file.uid());
            try {
                int n = file.readFully(buf.buffer());
                if (n != size) {
                    throw new ErrnoException(Errno.EIO, "kernel_read_file: read " + n + " of " + size + " bytes");
                }
                return buf;
            } catch (IOException | RuntimeException e) {
                buf.close();
                if (e instanceof ErrnoException ee) {
                    throw ee;
                }
                throw new ErrnoException(Errno.EIO, "kernel_read_file: " + e.getMessage(), e);
            }
        }
    }
}
