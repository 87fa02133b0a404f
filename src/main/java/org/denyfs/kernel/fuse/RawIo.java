package org.denyfs.kernel.fuse;
import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.denyfs.core.Errno;
import org.denyfs.kernel.control.VirtualTree;
import org.denyfs.kernel.natives.FileInfo;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.OperationsFlags;
import org.denyfs.kernel.passthrough.DirectIo;
import org.denyfs.kernel.passthrough.Handle;
import org.denyfs.kernel.passthrough.Handles;
import org.denyfs.kernel.passthrough.OpenFile;
import org.denyfs.kernel.passthrough.Passthrough;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * READ, WRITE, GETATTR, FGETATTR, GETXATTR, OPEN and RELEASE without a per-request struct object.
 * jnr-fuse's callbacks decode the path into a String and build a FuseFileInfo struct (a dozen
 * field objects) for every request; these take the raw addresses instead, read {@code fi->fh}
 * straight from libfuse's struct and hand the FUSE buffer's address to pread/pwrite. What remains
 * per request is jffi's own call frame.
 *
 * <p>Installed over jnr-fuse's entries in {@code fuse_operations} before the mount; the control
 * tree's handles (not backing files) go through {@link Handle#read}/{@link Handle#write} as before.
 */
public final class RawIo {
    private static final byte[] VIRTUAL_DIR = VirtualTree.DIR.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Libc LIBC = Libc.INSTANCE;

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

    /** {@code int (*getxattr)(const char *, const char *, char *, size_t)}. */
    public interface GetXattr {
        @Delegate
        int getxattr(@intptr_t long path, @intptr_t long name, @intptr_t long value, @size_t long size);
    }

    /** {@code int (*fgetattr)(const char *, struct stat *, struct fuse_file_info *)}. */
    public interface FGetAttr {
        @Delegate
        int fgetattr(@intptr_t long path, @intptr_t long stat, @intptr_t long fi);
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

    private final Handles handles;
    private final DenyFs fs;
    private final Passthrough files;
    // jnr-ffi holds a closure's target only weakly: these fields, and the RawIo in DenyFs, keep them alive.
    private final Read read = this::read;
    private final Write write = this::write;
    private final GetAttr getattr = this::getattr;
    private final FGetAttr fgetattr = this::fgetattr;
    private final GetXattr getxattr = this::getxattr;
    private final Open open = this::open;
    private final Release release = this::release;

    RawIo(Handles handles, DenyFs fs, Passthrough files) {
        this.handles = handles;
        this.fs = fs;
        this.files = files;
    }

    /** Points these requests' entries of jnr-fuse's operations table at this class (DenyFs has none of its own). */
    void install(FuseOperations ops) {
        Runtime runtime = Runtime.getRuntime(LIBC);
        Pointer table = Struct.getMemory(ops);
        table.putPointer(ops.read.offset(), runtime.getClosureManager().getClosurePointer(Read.class, read));
        table.putPointer(ops.write.offset(), runtime.getClosureManager().getClosurePointer(Write.class, write));
        table.putPointer(ops.getattr.offset(), runtime.getClosureManager().getClosurePointer(GetAttr.class, getattr));
        table.putPointer(ops.fgetattr.offset(), runtime.getClosureManager().getClosurePointer(FGetAttr.class, fgetattr));
        table.putPointer(ops.getxattr.offset(), runtime.getClosureManager().getClosurePointer(GetXattr.class, getxattr));
        table.putPointer(ops.open.offset(), runtime.getClosureManager().getClosurePointer(Open.class, open));
        table.putPointer(ops.release.offset(), runtime.getClosureManager().getClosurePointer(Release.class, release));
        // Requests on a file handle work through the handle alone, even once the file has no name.
        long flags = OperationsFlags.offset(ops);
        table.putInt(flags, table.getInt(flags) | OperationsFlags.NULLPATH_OK | OperationsFlags.UTIME_OMIT_OK);
    }

    /**
     * OPEN of a backing file: the path goes from libfuse's buffer to openat as it is, and the
     * handle into {@code fi->fh} in place. The control tree (rare) takes DenyFs's own way.
     */
    int open(long path, long fi) {
        if (isVirtual(path)) {
            String p = Pointer.wrap(Libc.RUNTIME, path).getString(0);
            return Errnos.call("open", p, () -> fs.openVirtual(p, FuseFileInfo.of(Pointer.wrap(Libc.RUNTIME, fi))));
        }
        try {
            long fh = fs.openBacking(path, FileInfo.flags(fi));
            if (fh < 0) {
                return (int) fh;
            }
            FileInfo.setFh(fi, fh);
            return 0;
        } catch (RuntimeException | Error e) {
            return Errnos.of("open", Pointer.wrap(Libc.RUNTIME, path).getString(0), e);
        }
    }

    int release(long path, long fi) {
        long fh = FileInfo.fh(fi);
        try {
            fs.release(fh);
            return 0;
        } catch (RuntimeException | Error e) {
            return Errnos.of("release", "fh " + fh, e);
        }
    }

    /** Whether the C string at {@code path} is VirtualTree.DIR or below it, read in place. */
    public static boolean isVirtual(long path) {
        byte[] dir = VIRTUAL_DIR;
        for (int i = 0; i < dir.length; i++) {
            if (MEMORY.getByte(path + i) != dir[i]) {
                return false;
            }
        }
        byte next = MEMORY.getByte(path + dir.length);
        return next == 0 || next == '/';
    }

    /**
     * GETATTR: the most frequent request (every LOOKUP asks it, and every path component at every
     * open once attributes expire), so no FileStat struct is built for a backing file: lstat fills
     * libfuse's stat in place.
     */
    int getattr(long path, long stat) {
        if (isVirtual(path)) {
            return fs.virtualAttr(Pointer.wrap(Libc.RUNTIME, path).getString(0), stat);
        }
        return files.getattr(path, stat);
    }

    /**
     * GETXATTR: the kernel asks it for security.capability before every write(2) (FUSE inodes
     * never get S_NOSEC), so it is on the write path: name and buffer stay libfuse's.
     */
    int getxattr(long path, long name, long value, long size) {
        if (isVirtual(path)) {
            return -Errno.ENODATA.code();
        }
        return files.getxattr(path, name, value, size);
    }

    /**
     * FGETATTR: fstat(2) of an open file, and auto_cache's check at every open. Through the handle
     * alone (the path may be NULL: nullpath_ok), so it keeps working after the file's name went.
     */
    int fgetattr(long path, long stat, long fi) {
        try {
            if (handles.get(FileInfo.fh(fi)) instanceof OpenFile f) {
                return Libc.result(LIBC.fstat(f.fd, stat));
            }
        } catch (RuntimeException e) {
            // not an open backing file: answer by path
        }
        return path == 0 ? -Errno.EBADF.code() : getattr(path, stat);
    }

    int read(long path, long buf, long size, long offset, long fi) {
        try {
            Handle h = handles.get(FileInfo.fh(fi));
            if (h instanceof OpenFile f) {
                return f.direct ? DirectIo.pread(f.fd, buf, size, offset) : Libc.result(LIBC.pread(f.fd, buf, size, offset));
            }
            return h.read(Pointer.wrap(Libc.RUNTIME, buf), size, offset);
        } catch (RuntimeException | Error e) {
            return Errnos.of("read", "fh " + FileInfo.fh(fi), e);
        }
    }

    int write(long path, long buf, long size, long offset, long fi) {
        try {
            Handle h = handles.get(FileInfo.fh(fi));
            if (h instanceof OpenFile f) {
                return f.direct ? DirectIo.pwrite(f.fd, buf, size, offset) : Libc.result(LIBC.pwrite(f.fd, buf, size, offset));
            }
            return h.write(Pointer.wrap(Libc.RUNTIME, buf), size, offset);
        } catch (RuntimeException | Error e) {
            return Errnos.of("write", "fh " + FileInfo.fh(fi), e);
        }
    }
}
