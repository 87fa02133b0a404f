package org.denyfs.kernel.passthrough;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.kernel.natives.Libc;

/**
 * Reads and writes of a file opened with O_DIRECT. The backing fd keeps O_DIRECT, so the data goes
 * to the device as the caller asked and a misaligned offset or length fails with the backing file
 * system's EINVAL, as natively; but libfuse's request buffer is never aligned (the data follows
 * an 80-byte header), so each transfer goes through this thread's page-aligned buffer. The
 * caller's own buffer alignment cannot be seen through FUSE, and does not matter here.
 */
final class DirectIo {
    private static final int ALIGN = 4096;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Libc LIBC = Libc.INSTANCE;

    private static final class Bounce {
        Pointer memory;
        long aligned;
        long capacity;

        long fit(long size) {
            if (size > capacity) {
                memory = Memory.allocateDirect(Libc.RUNTIME, size + ALIGN, false);
                aligned = (memory.address() + ALIGN - 1) & -ALIGN;
                capacity = size;
            }
            return aligned;
        }
    }

    private static final ThreadLocal<Bounce> BOUNCE = ThreadLocal.withInitial(Bounce::new);

    private DirectIo() {}

    static int pread(int fd, long buf, long size, long offset) {
        long bounce = BOUNCE.get().fit(size);
        long n = LIBC.pread(fd, bounce, size, offset);
        if (n < 0) {
            return -Libc.errno();
        }
        MEMORY.copyMemory(bounce, buf, n);
        return (int) n;
    }

    static int pwrite(int fd, long buf, long size, long offset) {
        long bounce = BOUNCE.get().fit(size);
        MEMORY.copyMemory(buf, bounce, size);
        long n = LIBC.pwrite(fd, bounce, size, offset);
        return n < 0 ? -Libc.errno() : (int) n;
    }
}
