package org.denyfs.kernel.passthrough;

import java.util.concurrent.atomic.LongAdder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.Stat;

/**
 * request_firmware() as the kernel's firmware loader reads a file (drivers/base/firmware_loader,
 * through fs/kernel_read_file.c): not a regular file is EINVAL; deny_write_access for the length of
 * the read only, so a writer gets the requester ETXTBSY and every other denier (a running program, a
 * module read, an exclusive reader) stacks with it; an empty file is EINVAL, one over INT_MAX bytes
 * EFBIG, a short read EIO. The bytes are read and dropped: there is no device to hand them to, and a
 * fixed buffer of {@value #CHUNK} bytes means no caller can make the daemon allocate by file size.
 * Reached by the DENYFS_IOC_FIRMWARE ioctl and the control file's {@code firmware PATH}.
 */
public final class Firmware {
    static final int CHUNK = 64 * 1024;
    private static final Libc LIBC = Libc.INSTANCE;

    private final Inodes inodes;
    private final LongAdder requests = new LongAdder();
    private final LongAdder loaded = new LongAdder();
    private final LongAdder busy = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    public Firmware(Inodes inodes) {
        this.inodes = inodes;
    }

    /**
     * Reads the whole file {@code fd} is open on, with writes denied meanwhile.
     *
     * @return the bytes read
     */
    public long request(Caller caller, int fd, InodeKey key) {
        requests.increment();
        Hold deny = null;
        try {
            if ((Stat.of(fd).getInt(Stat.ST_MODE) & Stat.S_IFMT) != Stat.S_IFREG) {
                throw new ErrnoException(Errno.EINVAL, "firmware: not a regular file");
            }
            try {
                deny = inodes.take(key, HoldKind.FIRMWARE, caller.pid(), caller.uid(), false);
            } catch (ErrnoException e) {
                busy.increment();
                throw e;
            }
            long size = Stat.of(fd).getLong(Stat.ST_SIZE);
            if (size <= 0) {
                throw new ErrnoException(Errno.EINVAL, "firmware: the file is empty");
            }
            if (size > Integer.MAX_VALUE) {
                throw new ErrnoException(Errno.EFBIG, "firmware: " + size + " bytes, over kernel_read_file's INT_MAX");
            }
            readAll(fd, size);
            loaded.increment();
            bytes.add(size);
            return size;
        } catch (ErrnoException e) {
            failed.increment();
            throw e;
        } finally {
            if (deny != null) {
                inodes.release(deny);
            }
        }
    }

    private static void readAll(int fd, long size) {
        Pointer buf = Memory.allocateDirect(Libc.RUNTIME, CHUNK, false);
        for (long offset = 0; offset < size; ) {
            long n = LIBC.pread(fd, buf, Math.min(CHUNK, size - offset), offset);
            if (n < 0) {
                throw Libc.lastError("firmware read");
            }
            if (n == 0) {
                throw new ErrnoException(Errno.EIO, "firmware: short read at " + offset + " of " + size + " bytes");
            }
            offset += n;
        }
    }

    /** The status reply's part: requests, loads, ETXTBSY refusals, all failures (busy included), bytes read. */
    public String figures() {
        return "firmware_requests=" + requests.sum() + " firmware_loaded=" + loaded.sum() + " firmware_busy="
                + busy.sum() + " firmware_failed=" + failed.sum() + " firmware_bytes=" + bytes.sum();
    }
}
