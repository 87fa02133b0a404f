package org.denyfs.kernel.passthrough;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final int CAP_FSETID = 4;
    private static final Libc LIBC = Libc.INSTANCE;

    private SetIdBits() {}

    /** The bits of {@code mode} a write by a caller without CAP_FSETID clears (0 for none, or for a non-file). */
    static int killable(int mode) {
        if ((mode & Stat.S_IFMT) != Stat.S_IFREG) {
            return 0;
        }
        int bits = mode & S_ISUID;
        if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
            bits |= S_ISGID;
        }
        return bits;
    }

    /** The killable bits of the open file {@code fd} now. */
    static int killableOf(int fd) {
        return killable(Stat.mode(Stat.of(fd)));
    }

    /** Clears the killable bits of the open file {@code fd}, if it has any (an fstat, and an fchmod only then). */
    static void kill(int fd) {
        int mode = Stat.mode(Stat.of(fd));
        int bits = killable(mode);
        if (bits != 0) {
            if (LIBC.fchmod(fd, mode & 07777 & ~bits) != 0) {
                throw Libc.lastError("fchmod (clearing set-id bits)");
            }
        }
    }

    /**
     * Whether the process (or thread) {@code tid} holds CAP_FSETID in its effective set, from
     * /proc/TID/status; false when it cannot be read (the caller has gone: nobody to keep bits for).
     */
    static boolean callerHasFsetid(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (caps & (1L << CAP_FSETID)) != 0;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            return false;
        }
        return false;
    }
}
