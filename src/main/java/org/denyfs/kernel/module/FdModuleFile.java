package org.denyfs.kernel.module;

import java.io.IOException;
import java.nio.ByteBuffer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.Inode;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.Stat;

/**
 * The file a finit_module() is given, over a backing descriptor: the caller's own handle (the FINIT
 * ioctl) or the one a control-file {@code finit PATH} was resolved into. Reads go with pread straight
 * into the emulated kernel's off-heap buffer, so the module loaded is the descriptor's file, and
 * its denies are holds in core's table like any other (listed by {@code holders}).
 */
final class FdModuleFile implements ModuleFile {
    private static final long CHUNK = 1 << 20;

    private final Libc libc = Libc.INSTANCE;
    private final int fd;
    private final int openFlags;
    private final Inode inode;
    private final Inodes inodes;
    private final Caller caller;

    /** {@code inode} must stay pinned by the caller for as long as this object is used. */
    FdModuleFile(int fd, int openFlags, Inode inode, Inodes inodes, Caller caller) {
        this.fd = fd;
        this.openFlags = openFlags;
        this.inode = inode;
        this.inodes = inodes;
        this.caller = caller;
    }

    @Override
    public Denial denyWrites() {
        return deny(HoldKind.MODULE);
    }

    @Override
    public Denial exclusiveDenyWrites() {
        return deny(HoldKind.MODULE_EXCLUSIVE);
    }

    /** A hold like any other: listed by holders, and settled against in-flight releases. */
    private Denial deny(HoldKind kind) {
        Hold hold = inodes.take(inode.key(), kind, caller.pid(), caller.uid(), false);
        java.util.concurrent.atomic.AtomicBoolean given = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (given.compareAndSet(false, true)) {
                inodes.release(hold);
            }
        };
    }

    /** The backing file's name, from the fd itself: no path is kept, and a rename since open shows. */
    @Override
    public String name() {
        try {
            java.nio.file.Path file = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).getFileName();
            return file == null ? "?" : file.toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    @Override
    public int uid() {
        return caller.uid();
    }

    @Override
    public InodeKey inode() {
        return inode.key();
    }

    @Override
    public boolean readable() {
        return (openFlags & Libc.O_ACCMODE) != Libc.O_WRONLY;
    }

    @Override
    public boolean openedForWrite() {
        return (openFlags & Libc.O_ACCMODE) != Libc.O_RDONLY;
    }

    @Override
    public boolean pathOnly() {
        return (openFlags & Libc.O_PATH) != 0;
    }

    @Override
    public boolean regularFile() {
        return (Stat.of(fd).getInt(Stat.ST_MODE) & Stat.S_IFMT) == Stat.S_IFREG;
    }

    @Override
    public long size() {
        return Stat.of(fd).getLong(Stat.ST_SIZE);
    }

    @Override
    public int readFully(ByteBuffer dst) throws IOException {
        if (!dst.isDirect()) {
            throw new IOException("module buffers are off-heap");
        }
        Pointer base = Pointer.wrap(Libc.RUNTIME, dst);
        int start = dst.position();
        long offset = 0;
        while (dst.hasRemaining()) {
            long n = libc.pread(fd, base.slice(dst.position()), Math.min(CHUNK, dst.remaining()), offset);
            if (n < 0) {
                throw new IOException("pread: errno " + Libc.errno());
            }
            if (n == 0) {
                break;
            }
            dst.position(dst.position() + (int) n);
            offset += n;
        }
        return dst.position() - start;
    }
}
