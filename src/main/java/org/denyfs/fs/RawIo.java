package org.denyfs.fs;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * READ, WRITE, GETATTR and FGETATTR without a per-request struct object. jnr-fuse's callbacks decode the path into a String
 * and build a FuseFileInfo struct (a dozen field objects) for every request; these take the raw
 * addresses instead, read {@code fi->fh} straight from libfuse's struct and hand the FUSE buffer's
 * address to pread/pwrite. What remains per request is jffi's own call frame.
 *
 * <p>Installed over jnr-fuse's entries in {@code fuse_operations} before the mount; the control
 * tree's handles (not backing files) go through {@link Handle#read}/{@link Handle#write} as before.
 */
public final class RawIo {
    /** Offset of {@code uint64_t fh} in libfuse 2.9's struct fuse_file_info on x86-64 (see FileInfoBits). */
    static final int FH_OFFSET = 24;
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
        int getattr(String path, @intptr_t long stat);
    }

    /** {@code int (*fgetattr)(const char *, struct stat *, struct fuse_file_info *)}. */
    public interface FGetAttr {
        @Delegate
        int fgetattr(@intptr_t long path, @intptr_t long stat, @intptr_t long fi);
    }

    private final Handles handles;
    private final DenyFs fs;
    private final Backing backing;
    // jnr-ffi holds a closure's target only weakly: these fields, and the RawIo in DenyFs, keep them alive.
    private final Read read = this::read;
    private final Write write = this::write;
    private final GetAttr getattr = this::getattr;
    private final FGetAttr fgetattr = this::fgetattr;

    RawIo(Handles handles, DenyFs fs, Backing backing) {
        this.handles = handles;
        this.fs = fs;
        this.backing = backing;
    }

    /** Points the read and write entries of jnr-fuse's operations table at this class. */
    void install(FuseOperations ops) {
        Runtime runtime = Runtime.getRuntime(LIBC);
        Pointer table = Struct.getMemory(ops);
        table.putPointer(ops.read.offset(), runtime.getClosureManager().getClosurePointer(Read.class, read));
        table.putPointer(ops.write.offset(), runtime.getClosureManager().getClosurePointer(Write.class, write));
        table.putPointer(ops.getattr.offset(), runtime.getClosureManager().getClosurePointer(GetAttr.class, getattr));
        table.putPointer(ops.fgetattr.offset(), runtime.getClosureManager().getClosurePointer(FGetAttr.class, fgetattr));
    }

    /**
     * GETATTR: the most frequent request (attr_timeout=0 asks it for every path component at every
     * open), so no FileStat struct is built for a backing file: lstat fills libfuse's stat in place.
     */
    int getattr(String path, long stat) {
        if (VirtualTree.isVirtual(path)) {
            return fs.getattr(path, FileStat.of(Pointer.wrap(Libc.RUNTIME, stat)));
        }
        return Errnos.check(LIBC.lstat(backing.path(path), stat));
    }

    /** fgetattr (auto_cache asks it at every open, fstat on the open fd). */
    int fgetattr(long path, long stat, long fi) {
        try {
            if (handles.get(MEMORY.getLong(fi + FH_OFFSET)) instanceof OpenFile f) {
                return Errnos.check(LIBC.fstat(f.fd, stat));
            }
        } catch (RuntimeException e) {
            // not an open backing file: answer by path, as DenyFs.fgetattr does
        }
        return getattr(Pointer.wrap(Libc.RUNTIME, path).getString(0), stat);
    }

    int read(long path, long buf, long size, long offset, long fi) {
        try {
            Handle h = handles.get(MEMORY.getLong(fi + FH_OFFSET));
            if (h instanceof OpenFile f) {
                return Errnos.check(LIBC.pread(f.fd, buf, size, offset));
            }
            return h.read(Pointer.wrap(Libc.RUNTIME, buf), size, offset);
        } catch (RuntimeException | Error e) {
            return Errnos.of("read", "fh " + MEMORY.getLong(fi + FH_OFFSET), e);
        }
    }

    int write(long path, long buf, long size, long offset, long fi) {
        try {
            Handle h = handles.get(MEMORY.getLong(fi + FH_OFFSET));
            if (h instanceof OpenFile f) {
                return Errnos.check(LIBC.pwrite(f.fd, buf, size, offset));
            }
            return h.write(Pointer.wrap(Libc.RUNTIME, buf), size, offset);
        } catch (RuntimeException | Error e) {
            return Errnos.of("write", "fh " + MEMORY.getLong(fi + FH_OFFSET), e);
        }
    }
}
