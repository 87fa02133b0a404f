package org.denyfs.kernel.passthrough;

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
import org.denyfs.kernel.natives.FileInfo;
import org.denyfs.kernel.natives.FuseContext;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.natives.Stat;
import org.denyfs.kernel.pending.WritableMappings;
import ru.serce.jnrfuse.FuseFillDir;

/**
 * The backing files and directories open through the mount, and the write-count rules of
 * include/linux/fs.h on their inodes: the FUSE op table's way in for every request on a backing
 * handle ({@code fi->fh}), and for the opens that make one. {@link Passthrough} does the calls on
 * BACKING; this class decides what each open takes and gives it back at RELEASE.
 *
 * <p>Which open takes what (docs/KERNEL.md): an open or create with write access takes
 * get_write_access until its RELEASE; an exec open (FMODE_EXEC, 0x20, in the open flags) takes
 * deny_write_access until its RELEASE; truncate(2) by path takes write access around the call;
 * ftruncate on a handle takes nothing new. The count is checked after the backing open, on the
 * inode the descriptor really refers to, and an ETXTBSY closes that descriptor again. The other
 * deniers ({@link Deniers}) add two rules: a read-only open of a path {@code -o exclusive_read} names
 * takes an exclusive deny until its RELEASE, and a write open or truncate of a file with fs-verity
 * fails with EPERM once its write access is granted (so ETXTBSY comes first, as in the kernel).
 *
 * <p>With kernel passthrough ({@link BackingIds}) an open also hands the kernel the backing file, and
 * READ and WRITE of it stop coming here; OPEN, CREATE, FLUSH, RELEASE, truncate and the ioctls still
 * do, so the counts stay exact; a read-write open's write access outlives its RELEASE while a shared
 * mapping may still write ({@link WritableMappings}), as the kernel's does.
 *
 * <p>Methods return 0 (or a count, or a handle) or {@code -errno}; refusals (ETXTBSY, EBADF for an
 * unknown handle) are thrown as ErrnoException for the op table to answer.
 *
 * <p>Locks: none of ours on the I/O path. {@link Handles} is read without a lock (add and remove
 * take its own lock for a few stores, never across a backing open), {@link Inodes} is a concurrent
 * map.
 */
public final class OpenFiles {
    /** The kernel's FMODE_EXEC as FUSE passes it in the open flags of an execve. */
    public static final int FMODE_EXEC = 0x20;
    private static final Libc LIBC = Libc.INSTANCE;

    private final Passthrough paths;
    private final Inodes inodes;
    private final Handles handles;
    private final FinitModule finit;
    private final ReplyFilter filter;
    private final ReleaseLag releaseLag;
    private final Deniers deniers;
    private final BackingIds backingIds;
    private final DataRequests data;
    private final WritableMappings mappings;

    /**
     * @param handles this mount's table of backing handles (untagged: see Handles)
     * @param releaseLag where a RELEASE that follows a FLUSH records its lag
     * @param deniers fs-verity and the exclusive readers: what they add at open and by ioctl
     * @param backingIds the kernel passthrough's ids (and whether opens pass through at all)
     * @param data counts the READ and WRITE requests that still come to the daemon
     * @param mappings where a passed-through read-write open's write access goes at its RELEASE
     */
    public OpenFiles(Passthrough paths, Inodes inodes, Handles handles, FinitModule finit, ReplyFilter filter,
                     ReleaseLag releaseLag, Deniers deniers, BackingIds backingIds, DataRequests data,
                     WritableMappings mappings) {
        this.paths = paths;
        this.inodes = inodes;
        this.handles = handles;
        this.finit = finit;
        this.filter = filter;
        this.releaseLag = releaseLag;
        this.deniers = deniers;
        this.backingIds = backingIds;
        this.data = data;
        this.mappings = mappings;
    }

    // ---- opening ----------------------------------------------------------------------------

    /**
     * OPEN of the backing file whose FUSE path is the C string at {@code path}, for the
     * {@code struct fuse_file_info} at {@code fi}: the handle goes into {@code fi->fh}.
     */
    public int open(long path, long fi) {
        int flags = FileInfo.flags(fi);
        int fd = paths.open(path, flags);
        if (fd < 0) {
            return fd;
        }
        FileInfo.setFh(fi, attach(fd, flags, readOnly(flags) && deniers.exclusiveReads().matches(path)));
        return 0;
    }

    /** CREATE: the new file, made as the caller, then opened as OPEN would. */
    public int create(String path, int mode, long fi) {
        int flags = FileInfo.flags(fi);
        int fd = paths.create(path, flags, mode);
        if (fd < 0) {
            return fd;
        }
        FileInfo.setFh(fi, attach(fd, flags, readOnly(flags) && deniers.exclusiveReads().matches(path)));
        return 0;
    }

    private static boolean readOnly(int flags) {
        return (flags & Libc.O_ACCMODE) == Libc.O_RDONLY && (flags & FMODE_EXEC) == 0;
    }

    /** Takes what the open flags call for on the descriptor's inode, then publishes the handle. */
    private long attach(int fd, int flags, boolean exclusiveRead) {
        HoldKind kind = (flags & Libc.O_ACCMODE) != Libc.O_RDONLY ? HoldKind.WRITE
                : (flags & FMODE_EXEC) != 0 ? HoldKind.EXEC : null;
        Hold hold = null;
        InodeKey key;
        int modeAtOpen;
        try {
            jnr.ffi.Pointer st = Stat.of(fd);
            key = Stat.key(st);
            modeAtOpen = Stat.mode(st); // read now: the thread's stat buffer is used again below
            if (kind != null) {
                Caller caller = FuseContext.caller();
                hold = inodes.take(key, kind, caller.pid(), caller.uid());
            } else if (exclusiveRead || deniers.exclusiveReads().heldNow(inodes, key)) {
                kind = HoldKind.EXCLUSIVE_READ;
                hold = deniers.exclusiveReads().take(inodes, key, FuseContext.caller());
            }
            if (kind == HoldKind.WRITE) {
                FsVerity.refuseWrite(fd); // EPERM once the write access is granted, as fsverity_file_open
                if (filter.killSuidgid()) {
                    // an O_TRUNC open of a caller without CAP_FSETID (FUSE_OPEN_KILL_SUIDGID), once it may write
                    SetIdBits.kill(fd, FuseContext.caller());
                    modeAtOpen = Stat.mode(Stat.of(fd)); // what the kill left
                }
            }
        } catch (RuntimeException e) {
            if (hold != null) {
                inodes.release(hold);
            }
            LIBC.close(fd);
            throw e;
        }
        OpenFile file = new OpenFile(fd, flags, hold, inodes, key, finit);
        long fh;
        try {
            // A passed-through write never reaches us, so it could not clear set-id bits: take our path.
            boolean mustSeeWrites = kind == HoldKind.WRITE && filter.killprivV2() && SetIdBits.killable(modeAtOpen, false) != 0
                    && !SetIdBits.callerHasFsetid(FuseContext.caller().pid());
            int id = backingIds.attach(key, fd, flags, mustSeeWrites);
            if (mustSeeWrites && id > 0) {
                // the inode is bound to a backing file already and every open of it must pass through:
                // the bits go now, at the open, instead of at its first write
                SetIdBits.kill(fd, FuseContext.caller());
            }
            file.sharesBackingId = id != BackingIds.NOT_ATTACHED;
            file.boundNode = id > 0 ? backingIds.node() : 0;
            file.mayMapForWriting = id > 0 && (flags & Libc.O_ACCMODE) == Libc.O_RDWR && kind == HoldKind.WRITE;
            fh = handles.add(file);
        } catch (RuntimeException | Error e) {
            file.release();
            if (file.sharesBackingId) {
                backingIds.unbind(file.boundNode, key);
                backingIds.release(key, true);
            }
            throw e;
        }
        // FLUSH would only time the release lag: the backing fd has nothing buffered to flush.
        filter.noFlush();
        return fh;
    }

    /**
     * OPENDIR: the directory itself, so a listing survives a rename of its path.
     *
     * @param hidden a name its listing leaves out (the control tree's, in the mount root), or null
     */
    public int opendir(String path, String hidden, long fi) {
        int fd = paths.openDirectory(path);
        if (fd < 0) {
            return fd;
        }
        Pointer dir = LIBC.fdopendir(fd);
        if (dir == null) {
            int errno = Libc.errno();
            LIBC.close(fd);
            return -errno;
        }
        FileInfo.setFh(fi, handles.add(new DirHandle(dir, hidden)));
        return 0;
    }

    // ---- on a handle ------------------------------------------------------------------------

    /** READ into libfuse's buffer: one array load and a pread, nothing allocated. */
    public int read(long fh, long buf, long size, long offset) {
        data.read();
        return handles.get(fh).read(buf, size, offset);
    }

    public int write(long fh, long buf, long size, long offset) {
        data.write();
        Handle h = handles.get(fh);
        if (filter.killSuidgid() && h instanceof OpenFile f) {
            SetIdBits.kill(f.fd, FuseContext.caller()); // before the data, as file_remove_privs does
        }
        return h.write(buf, size, offset);
    }

    /**
     * FGETATTR: fstat(2) of an open file, and auto_cache's check at every open, through the handle
     * alone, so it keeps working once the file has lost its name.
     *
     * @return 0, -errno, or -EBADF when {@code fh} is no open backing file (then ask by path)
     */
    public int fgetattr(long fh, long stat) {
        Handle h;
        try {
            h = handles.get(fh);
        } catch (ErrnoException unknown) {
            return -Errno.EBADF.code();
        }
        return h instanceof OpenFile f ? Libc.result(LIBC.fstat(f.fd, stat)) : -Errno.EBADF.code();
    }

    public int readdir(long fh, Pointer buf, FuseFillDir filler) {
        return handles.get(fh) instanceof DirHandle d ? d.list(buf, filler) : -Errno.EBADF.code();
    }

    /** At every close(2) of a descriptor of the handle (FUSE FLUSH). */
    public void flush(long fh) {
        handles.get(fh).flush();
    }

    public int fsync(long fh, boolean dataOnly) {
        if (handles.get(fh) instanceof OpenFile f) {
            return Libc.result(dataOnly ? LIBC.fdatasync(f.fd) : LIBC.fsync(f.fd));
        }
        return 0;
    }

    /** ftruncate(2) on a write handle: nothing new to take, the open holds write access already. */
    public int ftruncate(long fh, long size) {
        if (handles.get(fh) instanceof OpenFile f) {
            if (filter.killSuidgid()) {
                SetIdBits.kill(f.fd, FuseContext.caller());
            }
            return Libc.result(LIBC.ftruncate(f.fd, size));
        }
        return -Errno.EINVAL.code();
    }

    public int fallocate(long fh, int mode, long offset, long length) {
        if (handles.get(fh) instanceof OpenFile f) {
            // FALLOCATE carries no kill flag: the kernel's file_modified() leaves it to us under KILLPRIV_V2
            if (filter.killprivV2() && SetIdBits.hasSetIdBits(f.fd)
                    && !SetIdBits.callerHasFsetid(FuseContext.caller().pid())) {
                SetIdBits.kill(f.fd, FuseContext.caller());
            }
            return Libc.result(LIBC.fallocate(f.fd, mode, offset, length));
        }
        return -Errno.EOPNOTSUPP.code();
    }

    /** A denyfs ioctl (abi.Abi.IOC_*) on the handle: the write-count verbs, FINIT and FIRMWARE. */
    public int ioctl(long fh, int cmd, Pointer data, Caller caller) {
        Handle h = handles.get(fh);
        if (cmd == Abi.IOC_FIRMWARE && h instanceof OpenFile f && data != null) {
            data.putLong(0, deniers.firmware().request(caller, f.fd, f.key()));
            return 0;
        }
        return h.ioctl(cmd, data, caller);
    }

    /** An fs-verity ioctl ({@link FsVerity#handles}) with the byte counts the kernel copied in and will copy out. */
    public int verityIoctl(long fh, int cmd, Pointer data, long inSize, long outSize, Caller caller) {
        return handles.get(fh) instanceof OpenFile f ? deniers.verity().ioctl(f, cmd, data, inSize, outSize, caller)
                : -Errno.EISDIR.code();
    }

    /** RELEASE (and RELEASEDIR): the handle goes, and with it what its open took. */
    public void release(long fh) {
        Handle h = handles.remove(fh);
        releaseLag.released(h);
        // asked before the descriptor closes: a parked backing id of a file with no name left would keep its space
        boolean stillLinked = h instanceof OpenFile o && o.sharesBackingId && Stat.nlinkOf(o.fd) > 0;
        try {
            if (h instanceof OpenFile f && f.mayMapForWriting) {
                f.release(mappings::keep);
            } else {
                h.release();
            }
        } finally {
            if (h instanceof OpenFile f && f.sharesBackingId) {
                backingIds.unbind(f.boundNode, f.key);
                backingIds.release(f.key, stillLinked);
            }
        }
    }

    // ---- by path ----------------------------------------------------------------------------

    /** truncate(2) by path: write access is taken and given back around the call, on the inode the open found. */
    public int truncate(String path, long size) {
        int fd = paths.openForTruncate(path);
        if (fd < 0) {
            return fd;
        }
        try {
            Caller caller = FuseContext.caller();
            Hold hold = inodes.take(Stat.keyOf(fd), HoldKind.WRITE, caller.pid(), caller.uid());
            try {
                FsVerity.refuseWrite(fd);
                if (filter.killSuidgid()) {
                    SetIdBits.kill(fd, caller);
                }
                return Libc.result(LIBC.ftruncate(fd, size));
            } finally {
                inodes.release(hold);
            }
        } finally {
            LIBC.close(fd);
        }
    }
}
