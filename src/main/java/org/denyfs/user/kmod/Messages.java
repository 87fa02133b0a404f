package org.denyfs.user.kmod;
import java.util.Map;

/**
 * The text a user reads for an errno, in one place, as kmod keeps it: {@link #of(int)} is insmod.c's
 * {@code mod_strerror()} (module-specific wording for the four errnos whose strerror() would mislead),
 * {@link #strerror(int)} is glibc's strerror() for the errnos the emulated kernel can return.
 */
public final class Messages {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EIO = 5;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ETXTBSY = 26;
    public static final int ENOSYS = 38;

    /** errno names as the daemon's replies spell them ("err ETXTBSY ..."), with their numbers. */
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("EPERM", 1), Map.entry("ENOENT", 2), Map.entry("ESRCH", 3), Map.entry("EINTR", 4),
            Map.entry("EIO", 5), Map.entry("ENXIO", 6), Map.entry("E2BIG", 7), Map.entry("ENOEXEC", 8),
            Map.entry("EBADF", 9), Map.entry("ECHILD", 10), Map.entry("EAGAIN", 11), Map.entry("EWOULDBLOCK", 11),
            Map.entry("ENOMEM", 12), Map.entry("EACCES", 13), Map.entry("EFAULT", 14), Map.entry("EBUSY", 16),
            Map.entry("EEXIST", 17), Map.entry("ENODEV", 19), Map.entry("ENOTDIR", 20), Map.entry("EISDIR", 21),
            Map.entry("EINVAL", 22), Map.entry("ENFILE", 23), Map.entry("EMFILE", 24), Map.entry("ENOTTY", 25),
            Map.entry("ETXTBSY", 26), Map.entry("EFBIG", 27), Map.entry("ENOSPC", 28), Map.entry("EROFS", 30),
            Map.entry("ERANGE", 34), Map.entry("ENAMETOOLONG", 36), Map.entry("ENOSYS", 38),
            Map.entry("ENODATA", 61), Map.entry("EBADMSG", 74), Map.entry("EOVERFLOW", 75),
            Map.entry("ETIMEDOUT", 110), Map.entry("ECANCELED", 125), Map.entry("ENOKEY", 126),
            Map.entry("EKEYEXPIRED", 127), Map.entry("EKEYREJECTED", 129));

    private static final Map<Integer, String> TEXTS = Map.ofEntries(
            Map.entry(1, "Operation not permitted"), Map.entry(2, "No such file or directory"),
            Map.entry(3, "No such process"), Map.entry(4, "Interrupted system call"),
            Map.entry(5, "Input/output error"), Map.entry(6, "No such device or address"),
            Map.entry(7, "Argument list too long"), Map.entry(8, "Exec format error"),
            Map.entry(9, "Bad file descriptor"), Map.entry(10, "No child processes"),
            Map.entry(11, "Resource temporarily unavailable"), Map.entry(12, "Cannot allocate memory"),
            Map.entry(13, "Permission denied"), Map.entry(14, "Bad address"),
            Map.entry(16, "Device or resource busy"), Map.entry(17, "File exists"),
            Map.entry(19, "No such device"), Map.entry(20, "Not a directory"), Map.entry(21, "Is a directory"),
            Map.entry(22, "Invalid argument"), Map.entry(23, "Too many open files in system"),
            Map.entry(24, "Too many open files"), Map.entry(25, "Inappropriate ioctl for device"),
            Map.entry(26, "Text file busy"), Map.entry(27, "File too large"),
            Map.entry(28, "No space left on device"), Map.entry(30, "Read-only file system"),
            Map.entry(34, "Numerical result out of range"), Map.entry(36, "File name too long"),
            Map.entry(38, "Function not implemented"), Map.entry(61, "No data available"),
            Map.entry(74, "Bad message"), Map.entry(75, "Value too large for defined data type"),
            Map.entry(110, "Connection timed out"), Map.entry(125, "Operation canceled"),
            Map.entry(126, "Required key not available"), Map.entry(127, "Key has expired"),
            Map.entry(129, "Key was rejected by service"));

    private Messages() {}

    /** kmod's mod_strerror(): what insmod prints after "could not insert module FILE: ". */
    public static String of(int errno) {
        switch (errno) {
            case ENOEXEC:
                return "Invalid module format";
            case ENOENT:
                return "Unknown symbol in module";
            case ESRCH:
                return "Module has wrong symbol version";
            case EINVAL:
                return "Invalid parameters";
            default:
                return strerror(errno);
        }
    }

    /** glibc's strerror() text. */
    public static String strerror(int errno) {
        String s = TEXTS.get(errno);
        return s != null ? s : "Unknown error " + errno;
    }

    /** The number of an errno named in a control reply ("ETXTBSY" or "26"); EIO if unknown. */
    public static int number(String name) {
        Integer n = NUMBERS.get(name);
        if (n != null) {
            return n;
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return EIO;
        }
    }
}
