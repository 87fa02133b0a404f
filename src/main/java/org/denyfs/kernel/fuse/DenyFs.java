package org.denyfs.kernel.fuse;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.Hold;
import org.denyfs.core.HoldKind;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.denyfs.kernel.control.Control;
import org.denyfs.kernel.control.ControlHandle;
import org.denyfs.kernel.control.ControlPaths;
import org.denyfs.kernel.control.ModuleBridge;
import org.denyfs.kernel.control.ViewHandle;
import org.denyfs.kernel.control.Views;
import org.denyfs.kernel.control.VirtualTree;
import org.denyfs.kernel.module.Modules;
import org.denyfs.kernel.natives.ConnInfo;
import org.denyfs.kernel.natives.FileInfo;
import org.denyfs.kernel.natives.FuseContext;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.natives.Stat;
import org.denyfs.kernel.passthrough.BackingRoot;
import org.denyfs.kernel.passthrough.DirHandle;
import org.denyfs.kernel.passthrough.Handle;
import org.denyfs.kernel.passthrough.Handles;
import org.denyfs.kernel.passthrough.OpenFile;
import org.denyfs.kernel.passthrough.Passthrough;
import org.denyfs.kernel.passthrough.ReleaseLag;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE adapter: a passthrough of every operation to the backing directory, plus the write-count
 * rules of include/linux/fs.h on each backing inode. Ops translate and delegate; the rules live in
 * {@code core}, the control protocol in {@code control}.
 *
 * <p>Which open takes what (REFERENCE section 2): an open or create with write access takes
 * get_write_access until its RELEASE; an exec open (FMODE_EXEC, 0x20, in the open flags) takes
 * deny_write_access until its RELEASE; truncate(2) by path takes write access around the call;
 * ftruncate on a handle takes nothing new. The count is checked after the backing open, on the
 * inode the fd really refers to, and an ETXTBSY closes that fd again.
 *
 * <p>Locks: none of ours on the I/O path. {@link Handles} is read without a lock (add/remove take
 * its own lock for a few stores, never across a backing open()), {@link Inodes} is a concurrent
 * map; a {@link org.denyfs.kernel.control.Session} serialises only its own requests. READ, WRITE, GETATTR,
 * FGETATTR, GETXATTR, OPEN and RELEASE reach {@link RawIo} directly, which hands the control tree's
 * back here; the FUSE loop runs on Java threads ({@link FuseLoop}).
 */
public final class DenyFs extends FuseStubFS {
    /** The kernel's FMODE_EXEC as FUSE passes it in the open flags of an execve. */
    public static final int FMODE_EXEC = 0x20;

    private final Libc libc = Libc.INSTANCE;
    /** Every backing operation goes through it (see Passthrough). */
    private final Passthrough files;
    /** Control-request paths, resolved beneath the same backing root as {@link #files}. */
    private final ControlPaths controlPaths;
    private final Inodes inodes;
    private final Handles handles = new Handles();
    /** Must stay reachable while mounted: jnr-ffi holds closures only weakly. */
    private final RawIo rawIo;
    private final Control control;
    private final long mountSeconds = System.currentTimeMillis() / 1000;
    private final ReleaseLag releaseLag = new ReleaseLag();
    /** FLUSH requests received: backing files are opened without one (see ReplyFilter). */
    private final java.util.concurrent.atomic.LongAdder flushes = new java.util.concurrent.atomic.LongAdder();
    /** FUSE worker threads started by {@link FuseLoop}: thread churn, in the daemon figures. */
    public final java.util.concurrent.atomic.AtomicInteger fuseThreadsStarted = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.CountDownLatch initialized = new java.util.concurrent.CountDownLatch(1);

    private final ModuleBridge moduleBridge;
    private final Views views;

    private final ReplyFilter replyFilter;

    public DenyFs(java.nio.file.Path backingDir, Inodes inodes, Modules modules, ReplyFilter replyFilter) {
        this.replyFilter = replyFilter;
        this.files = new Passthrough(BackingRoot.open(backingDir), replyFilter);
        this.inodes = inodes;
        this.controlPaths = new ControlPaths(files.root());
        this.moduleBridge = new ModuleBridge(modules, controlPaths, inodes);
        this.views = new Views(modules);
        this.control = new Control(inodes, controlPaths, moduleBridge);
        this.rawIo = new RawIo(handles, this, files);
        rawIo.install(fuseOperations);
        control.daemonFigures(() -> "handles=" + handles.size() + " flushes=" + flushes.sum() + " releases=" + releaseLag.count()
                + " release_lag_mean_us=" + releaseLag.meanMicros() + " release_lag_max_us=" + releaseLag.maxMicros()
                + " fuse_threads_started=" + fuseThreadsStarted.get() + " " + replyFilter.figures());
    }

    public Inodes inodes() {
        return inodes;
    }

    public Control control() {
        return control;
    }

    public Modules modules() {
        return moduleBridge.modules();
    }

    /** The FUSE loop has ended: no request can come any more. */
    public void unmounted() {
        files.close(); // the backing root, which controlPaths shares
    }

    public long flushes() {
        return flushes.sum();
    }

    public ReplyFilter replyFilter() {
        return replyFilter;
    }

    public ReleaseLag releaseLag() {
        return releaseLag;
    }

    public int openHandles() {
        return handles.size();
    }

    /** Waits until the kernel has sent INIT, i.e. the mount is in place and served. */
    public boolean awaitInit(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }

    /**
     * INIT: asks for FUSE_CAP_DONT_MASK, so the kernel hands over each create's mode with the
     * caller's umask beside it, unapplied, and the backing file system applies the umask (or a
     * default ACL instead) itself, as it does natively (see Credentials).
     */
    @Override
    public Pointer init(Pointer conn) {
        if (conn != null) {
            conn.putInt(ConnInfo.WANT, conn.getInt(ConnInfo.WANT) | ConnInfo.FUSE_CAP_DONT_MASK);
        }
        initialized.countDown();
        return null;
    }

    // ---- attributes -------------------------------------------------------------------------

    // GETATTR, FGETATTR and GETXATTR are RawIo's (raw addresses, no decoding).

    /** GETATTR of a path in the control tree (RawIo hands these over). */
    int virtualAttr(String path, long stat) {
        // Views come and go with the module table, the control file's handles with their holders.
        replyFilter.uncached();
        if (path.equals(VirtualTree.CONTROL)) {
            VirtualTree.fillFile(stat, VirtualTree.CONTROL_INO, 0666, 0, mountSeconds);
            return 0;
        }
        long ino = path.equals(VirtualTree.DIR) ? VirtualTree.DIR_INO : views.ino(path);
        Views.Node node = views.lookup(path);
        if (node instanceof Views.Dir) {
            VirtualTree.fillDir(stat, ino, mountSeconds);
        } else if (node instanceof Views.File f) {
            VirtualTree.fillFile(stat, ino, 0444, f.content().length, mountSeconds);
        } else if (node instanceof Views.Link l) {
            VirtualTree.fillLink(stat, ino, l.target().length(), mountSeconds);
        } else {
            return -Errno.ENOENT.code();
        }
        return 0;
    }

    @Override
    public int access(String path, int mask) {
        return VirtualTree.isVirtual(path) ? 0 : files.access(path, mask);
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        if (VirtualTree.isVirtual(path)) {
            if (!(views.lookup(path) instanceof Views.Link link)) {
                return -Errno.EINVAL.code();
            }
            byte[] target = link.target().getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        }
        return files.readlink(path, buf, size);
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return files.statfs(Struct.getMemory(stbuf));
    }

    @Override
    public int chmod(String path, long mode) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.chmod(path, (int) mode);
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.chown(path, (int) uid, (int) gid);
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.utimens(path, Struct.getMemory(timespec[0]));
    }

    // ---- names ------------------------------------------------------------------------------

    @Override
    public int mkdir(String path, long mode) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.mkdir(path, (int) mode);
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.mknod(path, (int) mode, rdev);
    }

    @Override
    public int symlink(String target, String path) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.symlink(target, path);
    }

    @Override
    public int unlink(String path) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.unlink(path);
    }

    @Override
    public int rmdir(String path) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : files.rmdir(path);
    }

    @Override
    public int rename(String from, String to) {
        return VirtualTree.isVirtual(from) || VirtualTree.isVirtual(to) ? -Errno.EPERM.code() : files.rename(from, to);
    }

    @Override
    public int link(String from, String to) {
        return VirtualTree.isVirtual(from) || VirtualTree.isVirtual(to) ? -Errno.EPERM.code() : files.link(from, to);
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        if (VirtualTree.isVirtual(path)) {
            return 0; // the control tree is listed from the views at each readdir
        }
        return Errnos.call("opendir", path, () -> {
            int fd = files.openDirectory(path);
            if (fd < 0) {
                return fd;
            }
            Pointer dir = libc.fdopendir(fd);
            if (dir == null) {
                int errno = Libc.errno();
                libc.close(fd);
                return -errno;
            }
            fi.fh.set(handles.add(new DirHandle(dir, path.equals("/"))));
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        if (path != null && VirtualTree.isVirtual(path)) {
            if (!(views.lookup(path) instanceof Views.Dir dir)) {
                return -Errno.ENOTDIR.code();
            }
            for (String name : Views.withDots(dir.entries())) {
                filler.apply(buf, name, null, 0);
            }
            return 0;
        }
        return Errnos.call("readdir", path, () -> handles.get(fi.fh.get()) instanceof DirHandle d
                ? d.list(buf, filler) : -Errno.EBADF.code());
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        long fh = fi.fh.get();
        if (fh == 0) {
            return 0; // the control tree's
        }
        return Errnos.call("releasedir", path, () -> {
            handles.remove(fh).release();
            return 0;
        });
    }

    // ---- data -------------------------------------------------------------------------------

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        if (VirtualTree.isVirtual(path)) {
            return -Errno.EPERM.code();
        }
        return Errnos.call("create", path, () -> {
            int flags = fi.flags.get();
            int fd = files.create(path, flags, (int) mode);
            if (fd < 0) {
                return fd;
            }
            fi.fh.set(attach(fd, flags));
            return 0;
        });
    }

    /**
     * OPEN of a backing file whose FUSE path is the C string at {@code path} (RawIo's way in).
     *
     * @return the new handle for {@code fi->fh}, or -errno
     */
    long openBacking(long path, int flags) {
        int fd = files.open(path, flags);
        return fd < 0 ? fd : attach(fd, flags);
    }

    /** Takes what the open flags call for on the fd's inode, then publishes the handle. */
    private long attach(int fd, int flags) {
        HoldKind kind = (flags & Libc.O_ACCMODE) != Libc.O_RDONLY ? HoldKind.WRITE
                : (flags & FMODE_EXEC) != 0 ? HoldKind.EXEC : null;
        Hold hold = null;
        InodeKey key;
        try {
            key = Stat.keyOf(fd);
            if (kind != null) {
                Caller caller = caller();
                hold = inodes.take(key, kind, caller.pid(), caller.uid());
            }
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
        long fh = handles.add(new OpenFile(fd, flags, hold, inodes, key, moduleBridge));
        // FLUSH would only time the release lag: the backing fd has nothing buffered to flush.
        replyFilter.noFlush();
        return fh;
    }

    /** OPEN of a path in the control tree (RawIo hands these over). */
    int openVirtual(String path, FuseFileInfo fi) {
        if (path.equals(VirtualTree.CONTROL)) {
            Caller opener = caller();
            fi.fh.set(handles.add(new ControlHandle(control.open(opener.pid(), opener.uid()), this::caller)));
            FileInfo.setBits(Struct.getMemory(fi).address(), FileInfo.DIRECT_IO | FileInfo.NONSEEKABLE);
            return 0;
        }
        Views.Node node = views.lookup(path);
        if (node instanceof Views.File f) {
            if ((fi.flags.get() & Libc.O_ACCMODE) != Libc.O_RDONLY) {
                return -Errno.EACCES.code();
            }
            fi.fh.set(handles.add(new ViewHandle(f.content())));
            FileInfo.setBits(Struct.getMemory(fi).address(), FileInfo.DIRECT_IO);
            return 0;
        }
        return node instanceof Views.Dir ? -Errno.EISDIR.code() : -Errno.ENOENT.code();
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        flushes.increment();
        return Errnos.call("flush", path, () -> {
            handles.get(fi.fh.get()).flush();
            return 0;
        });
    }

    /** RELEASE: the handle goes, and with it what its open took. */
    void release(long fh) {
        Handle h = handles.remove(fh);
        // Backing files send no FLUSH where the kernel knows FOPEN_NOFLUSH: control handles still do.
        long flushed = h.lastFlushNanos();
        if (flushed != 0) {
            releaseLag.record(System.nanoTime() - flushed);
        }
        h.release();
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return Errnos.call("fsync", path, () -> {
            if (handles.get(fi.fh.get()) instanceof OpenFile f) {
                return Libc.result(isdatasync != 0 ? libc.fdatasync(f.fd) : libc.fsync(f.fd));
            }
            return 0;
        });
    }

    /** truncate(2) by path: write access is taken and given back around the call, on the inode the open found. */
    @Override
    public int truncate(String path, @off_t long size) {
        if (VirtualTree.isVirtual(path)) {
            return -Errno.EPERM.code();
        }
        return Errnos.call("truncate", path, () -> {
            int fd = files.openForTruncate(path);
            if (fd < 0) {
                return fd;
            }
            try {
                Caller caller = caller();
                Hold hold = inodes.take(Stat.keyOf(fd), HoldKind.WRITE, caller.pid(), caller.uid());
                try {
                    return Libc.result(libc.ftruncate(fd, size));
                } finally {
                    inodes.release(hold);
                }
            } finally {
                libc.close(fd);
            }
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return Errnos.call("ftruncate", path, () -> {
            if (handles.get(fi.fh.get()) instanceof OpenFile f) {
                return Libc.result(libc.ftruncate(f.fd, size));
            }
            return -Errno.EINVAL.code();
        });
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        return Errnos.call("fallocate", path, () -> {
            if (handles.get(fi.fh.get()) instanceof OpenFile f) {
                return Libc.result(libc.fallocate(f.fd, mode, off, length));
            }
            return -Errno.EOPNOTSUPP.code();
        });
    }

    @Override
    public int ioctl(String path, int cmd, Pointer arg, FuseFileInfo fi, long flags, Pointer data) {
        return Errnos.call("ioctl", path, () -> handles.get(fi.fh.get()).ioctl(cmd, data, caller()));
    }

    // ---- extended attributes ----------------------------------------------------------------

    // The control tree has no extended attributes; it answers like a file system without them.

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return VirtualTree.isVirtual(path) ? -Errno.EOPNOTSUPP.code() : files.setxattr(path, name, value, size, flags);
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return VirtualTree.isVirtual(path) ? 0 : files.listxattr(path, list, size);
    }

    @Override
    public int removexattr(String path, String name) {
        return VirtualTree.isVirtual(path) ? -Errno.ENODATA.code() : files.removexattr(path, name);
    }

    /** The process behind the request being served. */
    Caller caller() {
        return FuseContext.caller();
    }
}
