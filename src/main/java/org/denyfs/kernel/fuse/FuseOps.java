package org.denyfs.kernel.fuse;

import java.util.concurrent.CompletableFuture;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.denyfs.core.Errno;
import org.denyfs.kernel.control.ControlTree;
import org.denyfs.kernel.control.DaemonFigures;
import org.denyfs.kernel.control.VirtualTree;
import org.denyfs.kernel.natives.ConnInfo;
import org.denyfs.kernel.natives.FileInfo;
import org.denyfs.kernel.natives.FuseContext;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.OperationsFlags;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.passthrough.FsVerity;
import org.denyfs.kernel.passthrough.OpenFiles;
import org.denyfs.kernel.passthrough.Passthrough;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE adapter: the one table of operations libfuse calls. Each op chooses "control tree or
 * backing file" and delegates, as passthrough_hp's ops do: by path ({@link ControlTree#isVirtual})
 * or by handle ({@link ControlTree#owns}), to the {@link ControlTree}, or to the passthrough:
 * {@link OpenFiles} for handles and the opens that make them (the write-count rules live there
 * and in core), {@link Passthrough} for everything else done to BACKING by path.
 *
 * <p>The hot requests (GETATTR, FGETATTR, GETXATTR, OPEN, READ, WRITE, RELEASE) come in at raw
 * addresses: jnr-fuse's own callbacks decode the path into a String and build a FuseFileInfo of a
 * dozen field objects per request, so these entries of {@code fuse_operations} are pointed at
 * this class's closures instead ({@link #installRawEntries}); they read {@code fi->fh} in place and
 * hand libfuse's buffers to the syscalls, allocating nothing for a backing file. The other ops
 * keep jnr-fuse's convenience.
 *
 * <p>The one place a throwable becomes {@code -errno}: {@link Errnos}. Locks: none of ours on any
 * path here (see OpenFiles and Session for theirs).
 */
public final class FuseOps extends FuseStubFS {
    private final Passthrough paths;
    private final OpenFiles files;
    private final ControlTree tree;
    private final DaemonFigures figures;
    private final CompletableFuture<Void> initialized = new CompletableFuture<>();
    // jnr-ffi holds a closure's target only weakly: these fields, and this object in Mount, keep them alive.
    private final Read read = this::read;
    private final Write write = this::write;
    private final GetAttr getattr = this::getattr;
    private final FGetAttr fgetattr = this::fgetattr;
    private final GetXattr getxattr = this::getxattr;
    private final Open open = this::open;
    private final Release release = this::release;
    private final Poll poll = this::poll;

    public FuseOps(Passthrough paths, OpenFiles files, ControlTree tree, DaemonFigures figures, ReplyFilter filter) {
        this.paths = paths;
        this.files = files;
        this.tree = tree;
        this.figures = figures;
        installRawEntries(filter);
    }

    /** Completed once the kernel has sent INIT, i.e. the mount is in place and served (a copy: callers cannot complete it). */
    public CompletableFuture<Void> initialized() {
        return initialized.copy();
    }

    /**
     * INIT: asks for FUSE_CAP_DONT_MASK, so the kernel hands over each create's mode with the
     * caller's umask beside it, unapplied, and the backing file system applies the umask (or a
     * default ACL instead) itself, as it does natively (see passthrough.Credentials).
     */
    @Override
    public Pointer init(Pointer conn) {
        if (conn != null) {
            conn.putInt(ConnInfo.WANT, conn.getInt(ConnInfo.WANT) | ConnInfo.FUSE_CAP_DONT_MASK);
        }
        initialized.complete(null);
        return null;
    }

    // ---- the hot requests, at raw addresses -------------------------------------------------

    /** {@code int (*read)(const char *, char *, size_t, off_t, struct fuse_file_info *)}. */
    public interface Read {
        @Delegate
        int read(@intptr_t long path, @intptr_t long buf, @size_t long size, @off_t long offset, @intptr_t long fi);
    }

    /** {@code int (*write)(const char *, const char *, size_t, off_t, struct fuse_file_info *)}. */
    public interface Write {
        @Delegate
        int write(@intptr_t long path, @intptr_t long buf, @size_t long size, @off_t long offset, @intptr_t long fi);
    }

    /** {@code int (*getattr)(const char *, struct stat *)}. */
    public interface GetAttr {
        @Delegate
        int getattr(@intptr_t long path, @intptr_t long stat);
    }

    /** {@code int (*fgetattr)(const char *, struct stat *, struct fuse_file_info *)}. */
    public interface FGetAttr {
        @Delegate
        int fgetattr(@intptr_t long path, @intptr_t long stat, @intptr_t long fi);
    }

    /** {@code int (*getxattr)(const char *, const char *, char *, size_t)}. */
    public interface GetXattr {
        @Delegate
        int getxattr(@intptr_t long path, @intptr_t long name, @intptr_t long value, @size_t long size);
    }

    /** {@code int (*open)(const char *, struct fuse_file_info *)}. */
    public interface Open {
        @Delegate
        int open(@intptr_t long path, @intptr_t long fi);
    }

    /** {@code int (*release)(const char *, struct fuse_file_info *)}. */
    public interface Release {
        @Delegate
        int release(@intptr_t long path, @intptr_t long fi);
    }

    /**
     * {@code int (*poll)(const char *, struct fuse_file_info *, struct fuse_pollhandle *, unsigned *)}:
     * raw, because jnr-fuse wraps even a NULL poll handle in a struct.
     */
    public interface Poll {
        @Delegate
        int poll(@intptr_t long path, @intptr_t long fi, @intptr_t long ph, @intptr_t long reventsp);
    }

    /**
     * Points the hot entries of jnr-fuse's {@code fuse_operations} at this class's raw closures, and
     * sets the flags libfuse reads after {@code bmap}: requests on a file handle work through the
     * handle alone, even once the file has no name (nullpath_ok), and utimens gets UTIME_NOW and
     * UTIME_OMIT as given (utime_omit_ok). FGETATTR goes through the reply filter's entry, which
     * answers libfuse's auto_cache check of a passed-through OPEN without calling us.
     */
    private void installRawEntries(ReplyFilter filter) {
        var closures = Runtime.getRuntime(Libc.INSTANCE).getClosureManager();
        Pointer table = Struct.getMemory(fuseOperations);
        table.putPointer(fuseOperations.read.offset(), closures.getClosurePointer(Read.class, read));
        table.putPointer(fuseOperations.write.offset(), closures.getClosurePointer(Write.class, write));
        table.putPointer(fuseOperations.getattr.offset(), closures.getClosurePointer(GetAttr.class, getattr));
        table.putPointer(fuseOperations.fgetattr.offset(), filter.fgetattrEntry(closures.getClosurePointer(FGetAttr.class, fgetattr)));
        table.putPointer(fuseOperations.getxattr.offset(), closures.getClosurePointer(GetXattr.class, getxattr));
        table.putPointer(fuseOperations.open.offset(), closures.getClosurePointer(Open.class, open));
        table.putPointer(fuseOperations.release.offset(), closures.getClosurePointer(Release.class, release));
        table.putPointer(fuseOperations.poll.offset(), closures.getClosurePointer(Poll.class, poll));
        long flags = OperationsFlags.offset(fuseOperations);
        table.putInt(flags, table.getInt(flags) | OperationsFlags.NULLPATH_OK | OperationsFlags.UTIME_OMIT_OK);
    }

    /**
     * GETATTR: the most frequent request (every LOOKUP asks it, and every path component at every
     * open once attributes expire), so a backing file's goes to fstatat with libfuse's own path and stat.
     */
    int getattr(long path, long stat) {
        try {
            return ControlTree.isVirtual(path) ? tree.getattr(string(path), stat) : paths.getattr(path, stat);
        } catch (RuntimeException | Error e) {
            return Errnos.of("getattr", string(path), e);
        }
    }

    /** FGETATTR: fstat(2) of an open file, through its handle; by path for anything else. */
    int fgetattr(long path, long stat, long fi) {
        long fh = FileInfo.fh(fi);
        int rc = ControlTree.owns(fh) ? -Errno.EBADF.code() : files.fgetattr(fh, stat);
        if (rc != -Errno.EBADF.code()) {
            return rc;
        }
        return path == 0 ? rc : getattr(path, stat); // no name left to ask by (nullpath_ok)
    }

    /**
     * GETXATTR: without FUSE_HANDLE_KILLPRIV_V2 the kernel asks it for security.capability before
     * every write(2) (the inode never gets S_NOSEC), so it is on the write path: name and buffer stay
     * libfuse's.
     */
    int getxattr(long path, long name, long value, long size) {
        figures.data().xattrRead();
        try {
            return ControlTree.isVirtual(path) || Passthrough.hidesXattr(name) ? -Errno.ENODATA.code()
                    : paths.getxattr(path, name, value, size);
        } catch (RuntimeException | Error e) {
            return Errnos.of("getxattr", string(path), e);
        }
    }

    /** OPEN: libfuse's path goes to openat as it is, and the handle into {@code fi->fh} in place. */
    int open(long path, long fi) {
        try {
            return ControlTree.isVirtual(path) ? tree.open(string(path), fi) : files.open(path, fi);
        } catch (RuntimeException | Error e) {
            return Errnos.of("open", string(path), e);
        }
    }

    int read(long path, long buf, long size, long offset, long fi) {
        long fh = FileInfo.fh(fi);
        try {
            return ControlTree.owns(fh) ? tree.read(fh, buf, size, offset, FileInfo.flags(fi)) : files.read(fh, buf, size, offset);
        } catch (RuntimeException | Error e) {
            return Errnos.of("read", "fh " + fh, e);
        }
    }

    int write(long path, long buf, long size, long offset, long fi) {
        long fh = FileInfo.fh(fi);
        try {
            return ControlTree.owns(fh) ? tree.write(fh, buf, size, offset) : files.write(fh, buf, size, offset);
        } catch (RuntimeException | Error e) {
            return Errnos.of("write", "fh " + fh, e);
        }
    }

    /** RELEASE: the handle goes, and with it what its open took. */
    int release(long path, long fi) {
        long fh = FileInfo.fh(fi);
        try {
            if (ControlTree.owns(fh)) {
                tree.release(fh);
            } else {
                files.release(fh);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            return Errnos.of("release", "fh " + fh, e);
        }
    }

    /** A FUSE path for a message or the control tree (both rare): decoded from libfuse's C string. */
    private static String string(long path) {
        return path == 0 ? "(no path)" : Pointer.wrap(Libc.RUNTIME, path).getString(0);
    }

    /** The address of the {@code struct fuse_file_info} behind jnr-fuse's struct object. */
    private static long address(FuseFileInfo fi) {
        return Struct.getMemory(fi).address();
    }

    // ---- attributes -------------------------------------------------------------------------

    @Override
    public int access(String path, int mask) {
        return VirtualTree.isVirtual(path) ? 0 : paths.access(path, mask);
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return VirtualTree.isVirtual(path) ? tree.readlink(path, buf, size) : paths.readlink(path, buf, size);
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return paths.statfs(Struct.getMemory(stbuf));
    }

    @Override
    public int chmod(String path, long mode) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.chmod(path, (int) mode);
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.chown(path, (int) uid, (int) gid);
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.utimens(path, Struct.getMemory(timespec[0]));
    }

    // ---- names ------------------------------------------------------------------------------

    @Override
    public int mkdir(String path, long mode) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.mkdir(path, (int) mode);
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.mknod(path, (int) mode, rdev);
    }

    @Override
    public int symlink(String target, String path) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.symlink(target, path);
    }

    @Override
    public int unlink(String path) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.unlink(path);
    }

    @Override
    public int rmdir(String path) {
        return VirtualTree.isVirtual(path) ? -Errno.EPERM.code() : paths.rmdir(path);
    }

    @Override
    public int rename(String from, String to) {
        return VirtualTree.isVirtual(from) || VirtualTree.isVirtual(to) ? -Errno.EPERM.code() : paths.rename(from, to);
    }

    @Override
    public int link(String from, String to) {
        return VirtualTree.isVirtual(from) || VirtualTree.isVirtual(to) ? -Errno.EPERM.code() : paths.link(from, to);
    }

    // ---- directories ------------------------------------------------------------------------

    /** OPENDIR: the tree's directories need no handle (fh 0: listed from the views at each readdir). */
    @Override
    public int opendir(String path, FuseFileInfo fi) {
        if (VirtualTree.isVirtual(path)) {
            return 0;
        }
        String hidden = path.equals("/") ? VirtualTree.DIR_NAME : null; // the tree shadows it in the root
        return Errnos.call("opendir", path, () -> files.opendir(path, hidden, address(fi)));
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        if (path != null && VirtualTree.isVirtual(path)) {
            return tree.readdir(path, buf, filler);
        }
        return Errnos.call("readdir", path, () -> files.readdir(fi.fh.get(), buf, filler));
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        long fh = fi.fh.get();
        if (fh == 0) {
            return 0; // the control tree's
        }
        return Errnos.call("releasedir", path, () -> {
            files.release(fh);
            return 0;
        });
    }

    // ---- data -------------------------------------------------------------------------------

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        if (VirtualTree.isVirtual(path)) {
            return -Errno.EPERM.code();
        }
        return Errnos.call("create", path, () -> files.create(path, (int) mode, address(fi)));
    }

    /** FLUSH, at every close(2) of a descriptor: counted (backing files should get none, see ReplyFilter). */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        figures.flushed();
        long fh = fi.fh.get();
        return Errnos.call("flush", path, () -> {
            if (ControlTree.owns(fh)) {
                tree.flush(fh);
            } else {
                files.flush(fh);
            }
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        long fh = fi.fh.get();
        return ControlTree.owns(fh) ? 0 : Errnos.call("fsync", path, () -> files.fsync(fh, isdatasync != 0));
    }

    /** truncate(2) by path: write access is taken and given back around the call (OpenFiles). */
    @Override
    public int truncate(String path, @off_t long size) {
        if (VirtualTree.isVirtual(path)) {
            return -Errno.EPERM.code();
        }
        return Errnos.call("truncate", path, () -> files.truncate(path, size));
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        long fh = fi.fh.get();
        return ControlTree.owns(fh) ? -Errno.EINVAL.code() : Errnos.call("ftruncate", path, () -> files.ftruncate(fh, size));
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        long fh = fi.fh.get();
        return ControlTree.owns(fh) ? -Errno.EOPNOTSUPP.code()
                : Errnos.call("fallocate", path, () -> files.fallocate(fh, mode, off, length));
    }

    /**
     * POLL: a control handle's readiness (a reply that waits for another load is polled for, see
     * control.Session); a backing file is always ready, as the kernel's default for a file system
     * without poll (DEFAULT_POLLMASK), which this answer must keep now that poll is implemented.
     */
    int poll(long path, long fi, long ph, long reventsp) {
        long fh = FileInfo.fh(fi);
        try {
            int revents = ControlTree.owns(fh) ? tree.poll(fh, ph) : backingFileReady(ph);
            com.kenai.jffi.MemoryIO.getInstance().putInt(reventsp, revents);
            return 0;
        } catch (RuntimeException | Error e) {
            return Errnos.of("poll", "fh " + fh, e);
        }
    }

    private static int backingFileReady(long ph) {
        if (ph != 0) {
            org.denyfs.kernel.natives.LibFuse.INSTANCE.fuse_pollhandle_destroy(ph);
        }
        return Libc.POLLIN | Libc.POLLRDNORM | Libc.POLLOUT | Libc.POLLWRNORM;
    }

    /** A denyfs ioctl (abi.Abi.IOC_*): backing files only; the tree's files have none. */
    @Override
    public int ioctl(String path, int cmd, Pointer arg, FuseFileInfo fi, long flags, Pointer data) {
        long fh = fi.fh.get();
        if (ControlTree.owns(fh)) {
            return -Errno.ENOTTY.code();
        }
        if (FsVerity.handles(cmd)) {
            long sizes = FuseLoop.ioctlSizes(cmd, fh); // the kernel's byte counts, not the caller's struct
            return sizes < 0 ? -Errno.EIO.code() : Errnos.call("ioctl", path,
                    () -> files.verityIoctl(fh, cmd, data, sizes >>> 32, sizes & 0xffffffffL, FuseContext.caller()));
        }
        return Errnos.call("ioctl", path, () -> files.ioctl(fh, cmd, data, FuseContext.caller()));
    }

    // ---- extended attributes: the control tree has none, and answers like a file system without them

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return VirtualTree.isVirtual(path) ? -Errno.EOPNOTSUPP.code()
                : Passthrough.hidesXattr(name) ? -Errno.EPERM.code() : paths.setxattr(path, name, value, size, flags);
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return VirtualTree.isVirtual(path) ? 0 : paths.listxattr(path, list, size);
    }

    @Override
    public int removexattr(String path, String name) {
        return VirtualTree.isVirtual(path) || Passthrough.hidesXattr(name) ? -Errno.ENODATA.code() : paths.removexattr(path, name);
    }
}
