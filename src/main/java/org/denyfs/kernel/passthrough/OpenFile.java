package org.denyfs.kernel.passthrough;

import java.util.ArrayDeque;
import java.util.Deque;
import jnr.ffi.Pointer;
import org.denyfs.abi.Abi;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.module.FinitModule;
import org.denyfs.kernel.natives.Libc;

/**
 * A backing file opened through the mount: its fd, and the write access or deny the open took
 * (null for a plain read-only open). The fd stays here until RELEASE, as in passthrough_hp.
 */
final class OpenFile implements Handle {
    private static final Libc LIBC = Libc.INSTANCE;

    private static final int O_DIRECT = 040000;

    final int fd;
    final int flags;
    /** Opened with O_DIRECT: transfers go through an aligned buffer (see DirectIo). */
    final boolean direct;
    final Hold hold;
    private final FinitModule finit;
    private final Inodes inodes;
    final InodeKey key;
    /** The open holds a share of its inode's backing id (BackingIds.attach); set before it is published. */
    boolean sharesBackingId;
    /**
     * The open passed through and may map the file shared and writable (it was opened read-write):
     * then its write access outlives its RELEASE as long as such a mapping (WritableMappings).
     */
    boolean mayMapForWriting;
    /** The FUSE node an OPEN that passed through bound to this file's backing inode (0: none; BackingIds.unbind). */
    long boundNode;
    /** Denies taken by ioctl on this handle, newest last; they end with the handle. */
    private final Deque<Hold> ioctlDenies = new ArrayDeque<>();
    private volatile long lastFlushNanos;

    OpenFile(int fd, int flags, Hold hold, Inodes inodes, InodeKey key, FinitModule finit) {
        this.fd = fd;
        this.flags = flags;
        this.direct = (flags & O_DIRECT) != 0;
        this.hold = hold;
        this.inodes = inodes;
        this.key = key;
        this.finit = finit;
    }

    /** The backing inode the descriptor refers to. */
    InodeKey key() {
        return key;
    }

    /**
     * The ioctls of denyfs_abi.h. A deny on a handle that is itself open for write fails with
     * ETXTBSY, as the kernel's deny would: the handle holds write access.
     */
    @Override
    public int ioctl(int cmd, Pointer data, Caller caller) {
        if (cmd == Abi.IOC_FINIT) {
            // Not under this handle's monitor: a load may wait long (init, an idempotent group).
            int finitFlags = data.getInt(0);
            int options = data.getInt(4);
            if ((options & ~Abi.FINIT_TICKET) != 0) {
                // a bit this daemon does not know must not be ignored: a later meaning could change the call
                throw new ErrnoException(Errno.EINVAL, "FINIT ioctl: unknown options 0x" + Integer.toHexString(options));
            }
            boolean ticket = (options & Abi.FINIT_TICKET) != 0;
            String params = data.getString(8, Abi.FINIT_PARAMS_MAX, java.nio.charset.StandardCharsets.UTF_8);
            if (!ticket) {
                finit.finit(caller, fd, flags, key, finitFlags, params);
                return 0;
            }
            // a call that waits for another load gives this thread back: the caller waits by ticket
            var call = finit.finitLater(caller, fd, flags, key, finitFlags, params);
            int t = call.isDone() ? 0 : finit.tickets().issue(caller, call);
            if (t > 0) {
                return t;
            }
            try {
                call.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            return 0;
        }
        return denyIoctl(cmd, data, caller);
    }

    private synchronized int denyIoctl(int cmd, Pointer data, Caller caller) {
        if (Abi.Ioctl.size(cmd) != Integer.BYTES || data == null) {
            return -Errno.ENOTTY.code();
        }
        int count;
        if (cmd == Abi.IOC_QUERY) {
            count = inodes.settledCount(key);
        } else if (cmd == Abi.IOC_DENY || cmd == Abi.IOC_XDENY) {
            HoldKind kind = cmd == Abi.IOC_DENY ? HoldKind.DENY : HoldKind.EXCLUSIVE_DENY;
            Hold deny = inodes.take(key, kind, caller.pid(), caller.uid(), true);
            ioctlDenies.addLast(deny);
            count = deny.inode().writes().value();
        } else if (cmd == Abi.IOC_ALLOW) {
            Hold deny = ioctlDenies.pollLast();
            if (deny == null) {
                throw new ErrnoException(Errno.EINVAL, "allow: this handle holds no deny");
            }
            inodes.release(deny);
            count = inodes.count(key);
        } else {
            return -Errno.ENOTTY.code();
        }
        data.putInt(0, count);
        return 0;
    }

    /** READ into libfuse's buffer at {@code buf}: nothing allocated, nothing copied but by the kernel. */
    @Override
    public int read(long buf, long size, long offset) {
        return direct ? DirectIo.pread(fd, buf, size, offset) : Libc.result(LIBC.pread(fd, buf, size, offset));
    }

    @Override
    public int write(long buf, long size, long offset) {
        return direct ? DirectIo.pwrite(fd, buf, size, offset) : Libc.result(LIBC.pwrite(fd, buf, size, offset));
    }

    @Override
    public void flush() {
        lastFlushNanos = System.nanoTime();
    }

    @Override
    public long lastFlushNanos() {
        return lastFlushNanos;
    }

    @Override
    public void release() {
        release(inodes::release);
    }

    /**
     * Closes the descriptor and gives back the ioctl denies; the open's own hold goes to
     * {@code giveBackHold} (Inodes.release, or WritableMappings.keep while a mapping may write).
     */
    synchronized void release(java.util.function.Consumer<Hold> giveBackHold) {
        try {
            LIBC.close(fd);
        } finally {
            for (Hold deny = ioctlDenies.pollLast(); deny != null; deny = ioctlDenies.pollLast()) {
                inodes.release(deny);
            }
            if (hold != null) {
                giveBackHold.accept(hold);
            }
        }
    }
}
