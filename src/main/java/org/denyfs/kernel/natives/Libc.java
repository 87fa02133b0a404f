package org.denyfs.kernel.natives;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.intptr_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * The libc calls the passthrough makes, bound with jnr-ffi so that data moves straight between
 * libfuse's buffers and the backing fd (no byte[] copies) and every failure keeps its exact errno.
 * Structs (stat, statvfs, timespec[2]) are the ones libfuse allocated: we pass their memory through.
 */
public interface Libc {
    Libc INSTANCE = LibraryLoader.create(Libc.class).load("c");
    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    /** faccessat2: check with the effective (here: fs) ids, not the real ones. */
    int AT_EACCESS = 0x200;
    /** faccessat2 (Linux 5.8): the descriptor itself, with an empty path. */
    int AT_EMPTY_PATH = 0x1000;
    int W_OK = 2;
    int O_ACCMODE = 03;
    int O_RDONLY = 0;
    int O_WRONLY = 01;
    int O_RDWR = 02;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    int O_NOFOLLOW = 0400000;
    int O_TRUNC = 01000;
    int O_NONBLOCK = 04000;
    /** poll(2)'s events. */
    int POLLIN = 0x001;
    int POLLOUT = 0x004;
    int POLLRDNORM = 0x040;
    int POLLWRNORM = 0x100;
    int O_DIRECTORY = 0200000;
    int O_PATH = 010000000;
    int O_CLOEXEC = 02000000;

    static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    /** The ErrnoException for the errno a libc call just set; EIO for a number denyfs does not know. */
    static ErrnoException lastError(String what) {
        Errno e = Errno.of(errno());
        return new ErrnoException(e == null ? Errno.EIO : e, what);
    }

    /** What a libc call returned ({@code rc}), or {@code -errno} if it returned -1. */
    static int result(long rc) {
        return rc == -1 ? -errno() : (int) rc;
    }

    int open(String path, int flags, int mode);

    int fcntl(int fd, int cmd, int arg);

    int close(int fd);

    /** openat with a path already in native memory (libfuse's own string): no String, no copy. */
    int openat(int dirfd, @intptr_t long path, int flags, int mode);

    int openat(int dirfd, String path, int flags, int mode);

    @ssize_t long readlinkat(int dirfd, String path, @Out Pointer buf, @size_t long size);

    /**
     * syscall(2) for calls glibc 2.36 has no wrapper for (openat2). Integer arguments only, so the
     * variadic convention is the plain one on x86-64.
     */
    long syscall(long number, int a, @intptr_t long b, @intptr_t long c, @size_t long d);

    /** syscall(2) with six integer arguments (the *xattrat calls). */
    long syscall(long number, int a, @intptr_t long b, int c, @intptr_t long d, @intptr_t long e, @size_t long f);

    // ---- the *at calls every backing operation goes through (see BackingRoot) -----------------

    int fstatat(int dirfd, @intptr_t long name, @intptr_t long stat, int flags);

    int fstatat(int dirfd, String name, @Out Pointer stat, int flags);

    int mkdirat(int dirfd, String name, int mode);

    int mknodat(int dirfd, String name, int mode, long dev);

    int symlinkat(String target, int dirfd, String name);

    int unlinkat(int dirfd, String name, int flags);

    int renameat(int olddirfd, String oldname, int newdirfd, String newname);

    int linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags);

    int fchownat(int dirfd, String name, int uid, int gid, int flags);

    int fchmod(int fd, int mode);

    int fchown(int fd, int uid, int gid);

    int futimens(int fd, @In Pointer times);


    @ssize_t long fgetxattr(int fd, @intptr_t long name, @intptr_t long value, @size_t long size);

    int fsetxattr(int fd, String name, @In Pointer value, @size_t long size, int flags);

    @ssize_t long flistxattr(int fd, @Out Pointer list, @size_t long size);

    int fremovexattr(int fd, String name);

    @ssize_t long getxattr(String path, @intptr_t long name, @intptr_t long value, @size_t long size);

    int setxattr(String path, String name, @In Pointer value, @size_t long size, int flags);

    @ssize_t long listxattr(String path, @Out Pointer list, @size_t long size);

    int removexattr(String path, String name);

    int fstatvfs(int fd, @Out Pointer buf);

    Pointer fdopendir(int fd);

    void rewinddir(Pointer dir);

    int dup(int fd);

    // ---- acting as the caller (see Credentials) --------------------------------------------

    /** Per thread on Linux (glibc does not broadcast it); returns the previous fsuid. */
    int setfsuid(int fsuid);

    int setfsgid(int fsgid);

    int getgroups(int size, @Out int[] list);

    /** Per process: see Credentials for why the FUSE workers each have their own (unshare). */
    int umask(int mask);

    int unshare(int flags);

    @ssize_t long pread(int fd, @Out Pointer buf, @size_t long count, @off_t long offset);

    @ssize_t long pwrite(int fd, @In Pointer buf, @size_t long count, @off_t long offset);

    /** pread into a raw address (libfuse's buffer): no Pointer object on the hot path. */
    @ssize_t long pread(int fd, @intptr_t long buf, @size_t long count, @off_t long offset);

    @ssize_t long pwrite(int fd, @intptr_t long buf, @size_t long count, @off_t long offset);

    int fsync(int fd);

    int fdatasync(int fd);

    int ftruncate(int fd, @off_t long length);

    int truncate(String path, @off_t long length);

    int fallocate(int fd, int mode, @off_t long offset, @off_t long len);

    int fstat(int fd, @Out Pointer stat);

    /** lstat/fstat with path and struct stat as raw addresses (libfuse's own buffers): no FileStat per GETATTR. */
    int lstat(@intptr_t long path, @intptr_t long stat);

    @ssize_t long lgetxattr(@intptr_t long path, @intptr_t long name, @intptr_t long value, @size_t long size);

    int fstat(int fd, @intptr_t long stat);

    int stat(String path, @Out Pointer stat);

    int statvfs(String path, @Out Pointer buf);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int unlink(String path);

    int rename(String from, String to);

    int link(String from, String to);

    int symlink(String target, String linkpath);

    @ssize_t long readlink(String path, @Out Pointer buf, @size_t long size);

    int mknod(String path, int mode, long dev);

    int mkfifo(String path, int mode);

    int chmod(String path, int mode);

    int lchown(String path, int uid, int gid);

    int utimensat(int dirfd, String path, @In Pointer times, int flags);

    int access(String path, int mode);

    int faccessat(int dirfd, String path, int mode, int flags);

    /** An ioctl whose argument is a pointer (FS_IOC_GETFLAGS). */
    int ioctl(int fd, @jnr.ffi.types.u_int64_t long request, @Out Pointer arg);

    int lsetxattr(String path, String name, @In Pointer value, @size_t long size, int flags);

    @ssize_t long llistxattr(String path, @Out Pointer list, @size_t long size);

    int lremovexattr(String path, String name);

    Pointer opendir(String path);

    Pointer readdir(Pointer dir);

    int closedir(Pointer dir);

    int getpid();

    int getuid();
}
