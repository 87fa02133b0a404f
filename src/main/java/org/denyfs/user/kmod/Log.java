package org.denyfs.user.kmod;

/**
 * Where the loader's messages go; the CLI decides (kmod's log_setup_kmod_log / kmod_set_log_fn).
 * Priorities are syslog's, as kmod's; {@link #log} gets the message with its newline, no prefix.
 */
public interface Log {
    int EMERG = 0;
    int CRIT = 2;
    int ERR = 3;
    int WARNING = 4;
    int NOTICE = 5;
    int INFO = 6;
    int DEBUG = 7;

    void log(int priority, String message);

    /** A line of the command's normal output (stdout): modprobe's "insmod PATH OPTS", lsmod's rows. */
    void out(String text);

    /** Unprefixed text on stderr (lsmod's "Error: ..."). */
    void stderr(String text);

    /** kmod's prefix for a priority: "FATAL", "ERROR", "WARNING", ... */
    static String name(int priority) {
        switch (priority) {
            case CRIT:
                return "FATAL";
            case ERR:
                return "ERROR";
            case WARNING:
                return "WARNING";
            case NOTICE:
                return "NOTICE";
            case INFO:
                return "INFO";
            case DEBUG:
                return "DEBUG";
            default:
                return String.format("LOG-%03d", priority);
        }
    }
}
