package org.denyfs.kernel.natives;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.core.InodeKey;

/**
 * glibc's {@code struct stat} (sys/stat.h, x86-64): what fstat fills, what libfuse hands GETATTR,
 * and the inode a backing descriptor stands for.
 */
public final class Stat {
    public static final int ST_DEV = 0;
    public static final int ST_INO = 8;
    public static final int ST_NLINK = 16;
    public static final int ST_MODE = 24;
    public static final int ST_UID = 28;
    public static final int ST_GID = 32;
    public static final int ST_SIZE = 48;
    /** struct timespec st_atim, st_mtim, st_ctim: tv_sec first. */
    public static final int ST_ATIM = 72;
    public static final int ST_MTIM = 88;
    public static final int ST_CTIM = 104;
    public static final int BYTES = 144;

    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;

    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Libc LIBC = Libc.INSTANCE;
    private static final ThreadLocal<Pointer> BUFFER = ThreadLocal.withInitial(Stat::allocate);
    /** isSymlink's own, so that it never overwrites what {@link #of} returned. */
    private static final ThreadLocal<Pointer> SYMLINK_CHECK = ThreadLocal.withInitial(Stat::allocate);

    private Stat() {}

    /** A zeroed struct stat of its own. */
    public static Pointer allocate() {
        return Memory.allocateDirect(Libc.RUNTIME, BYTES, true);
    }

    /** fstat of {@code fd} into this thread's buffer (valid until its next use here), or the errno as an exception. */
    public static Pointer of(int fd) {
        Pointer st = BUFFER.get();
        if (LIBC.fstat(fd, st) != 0) {
            throw Libc.lastError("fstat");
        }
        return st;
    }

    /** The inode an open descriptor refers to: no race with a rename of its path. */
    public static InodeKey keyOf(int fd) {
        return key(of(fd));
    }

    /** st_nlink of the open file {@code fd}, or 0 if fstat fails. */
    public static long nlinkOf(int fd) {
        Pointer st = BUFFER.get();
        return LIBC.fstat(fd, st) == 0 ? st.getLong(ST_NLINK) : 0;
    }

    /** st_mode of a struct stat {@link #of} filled. */
    public static int mode(Pointer st) {
        return st.getInt(ST_MODE);
    }

    public static InodeKey key(Pointer st) {
        return new InodeKey(st.getLong(ST_DEV), st.getLong(ST_INO));
    }

    /** Whether {@code fd} (an O_PATH descriptor of a name, never followed) is a symlink; false if fstat fails. */
    public static boolean isSymlink(int fd) {
        Pointer st = SYMLINK_CHECK.get();
        return LIBC.fstat(fd, st) == 0 && (st.getInt(ST_MODE) & S_IFMT) == S_IFLNK;
    }

    /** Fills libfuse's (zeroed) stat at {@code stat} for a file that exists only in the daemon. */
    public static void fill(long stat, long ino, int mode, int nlink, long size, long seconds) {
        MEMORY.putLong(stat + ST_INO, ino);
        MEMORY.putInt(stat + ST_MODE, mode);
        MEMORY.putLong(stat + ST_NLINK, nlink);
        MEMORY.putInt(stat + ST_UID, 0);
        MEMORY.putInt(stat + ST_GID, 0);
        MEMORY.putLong(stat + ST_SIZE, size);
        MEMORY.putLong(stat + ST_ATIM, seconds);
        MEMORY.putLong(stat + ST_MTIM, seconds);
        MEMORY.putLong(stat + ST_CTIM, seconds);
    }
}
