package org.denyfs.kernel.passthrough;

import jnr.ffi.Pointer;
import org.denyfs.core.Caller;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.natives.Stat;

/**
 * The kernel's rule for set-id bits when a file's data changes (should_remove_suid and
 * setattr_should_drop_sgid in fs/attr.c): a write or truncate by a caller without CAP_FSETID clears
 * S_ISUID, and S_ISGID if the group may execute (without group execute S_ISGID marks mandatory
 * locking and stays).
 *
 * <p>Why the daemon does this: with FUSE_HANDLE_KILLPRIV_V2 (the reply filter asks for it at INIT)
 * the kernel leaves it to the server: it flags a WRITE, a truncating SETATTR and an O_TRUNC OPEN or
 * CREATE of such a caller (ReplyFilter.killSuidgid), and in return marks inodes S_NOSEC and stops
 * asking GETXATTR security.capability before every write(2). The daemon's own writes to BACKING
 * run with its CAP_FSETID, so BACKING would keep the bits. security.capability needs nothing here:
 * the backing file system removes it at every write, whoever writes. A passed-through write never
 * reaches the daemon at all, so such an open takes the daemon's path instead (OpenFiles.attach).
 */
final class SetIdBits {
    static final int S_ISUID = 04000;
    static final int S_ISGID = 02000;
    static final int S_IXGRP = 00010;
    static final int CAP_FSETID = 4;
    private static final Libc LIBC = Libc.INSTANCE;

    private SetIdBits() {}

    /**
     * The bits of {@code mode} a write or truncate by a caller without CAP_FSETID clears (0 for none,
     * or for a non-file): S_ISUID; S_ISGID if the group may execute, or else if the caller is not in
     * the file's group ({@code callerInGroup}; Linux 6.2's setattr_should_drop_sgid).
     */
    static int killable(int mode, boolean callerInGroup) {
        if ((mode & Stat.S_IFMT) != Stat.S_IFREG) {
            return 0;
        }
        int bits = mode & S_ISUID;
        if ((mode & S_ISGID) != 0 && ((mode & S_IXGRP) != 0 || !callerInGroup)) {
            bits |= S_ISGID;
        }
        return bits;
    }

    /** Whether the open file {@code fd} has any bit a write could clear (for some caller). */
    static boolean hasSetIdBits(int fd) {
        return killable(Stat.mode(Stat.of(fd)), false) != 0;
    }

    /**
     * Clears the bits of the open file {@code fd} that a write by {@code caller} (who lacks
     * CAP_FSETID: the kernel said so, or {@link #callerHasFsetid} did) clears: an fstat, and an
     * fchmod only when there are any.
     */
    static void kill(int fd, Caller caller) {
        Pointer st = Stat.of(fd);
        int mode = Stat.mode(st);
        if ((mode & (S_ISUID | S_ISGID)) == 0) {
            return;
        }
        int fileGid = st.getInt(Stat.ST_GID);
        boolean inGroup = (mode & S_ISGID) != 0 && (mode & S_IXGRP) == 0
                && Credentials.inGroup(caller.pid(), caller.gid(), fileGid);
        int bits = killable(mode, inGroup);
        if (bits != 0 && LIBC.fchmod(fd, mode & 07777 & ~bits) != 0) {
            throw Libc.lastError("fchmod (clearing set-id bits)");
        }
    }

    /** Whether the thread {@code tid} holds CAP_FSETID as capable() means it (Credentials.hasCapability). */
    static boolean callerHasFsetid(int tid) {
        return Credentials.hasCapability(tid, CAP_FSETID);
    }
}
