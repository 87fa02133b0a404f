package org.denyfs.user.kmod;

import org.denyfs.core.Errno;

/**
 * The text a user reads for an errno, in one place, as kmod keeps it: {@link #of(int)} is insmod.c's
 * {@code mod_strerror()} (module-specific wording for the four errnos whose strerror() would mislead),
 * {@link #strerror(int)} is glibc's strerror(), whose texts (and the errno numbers) are the one table
 * core.Errno holds.
 */
public final class Messages {
    public static final int EPERM = Errno.EPERM.code();
    public static final int ENOENT = Errno.ENOENT.code();
    public static final int ESRCH = Errno.ESRCH.code();
    public static final int EIO = Errno.EIO.code();
    public static final int ENOEXEC = Errno.ENOEXEC.code();
    public static final int EBADF = Errno.EBADF.code();
    public static final int EAGAIN = Errno.EAGAIN.code();
    public static final int ENOMEM = Errno.ENOMEM.code();
    public static final int EBUSY = Errno.EBUSY.code();
    public static final int EEXIST = Errno.EEXIST.code();
    public static final int EINVAL = Errno.EINVAL.code();
    public static final int ENOTTY = Errno.ENOTTY.code();
    public static final int ETXTBSY = Errno.ETXTBSY.code();
    public static final int ENOSYS = Errno.ENOSYS.code();

    private Messages() {}

    /** kmod's mod_strerror(): what insmod prints after "could not insert module FILE: ". */
    public static String of(int errno) {
        if (errno == ENOEXEC) {
            return "Invalid module format";
        }
        if (errno == ENOENT) {
            return "Unknown symbol in module";
        }
        if (errno == ESRCH) {
            return "Module has wrong symbol version";
        }
        if (errno == EINVAL) {
            return "Invalid parameters";
        }
        return strerror(errno);
    }

    /** glibc's strerror() text, from core.Errno. */
    public static String strerror(int errno) {
        Errno e = Errno.of(errno);
        return e != null ? e.message() : "Unknown error " + errno;
    }

    /** The number of an errno named in a control reply ("ETXTBSY" or "26"); EIO if unknown. */
    public static int number(String name) {
        Errno e = Errno.named(name);
        if (e != null) {
            return e.code();
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException notANumber) {
            return EIO;
        }
    }
}
