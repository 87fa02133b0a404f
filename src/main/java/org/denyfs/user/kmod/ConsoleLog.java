package org.denyfs.user.kmod;

import java.io.PrintStream;

/**
 * The CLI's {@link Log}, kmod's tools/log.c: messages at or below the threshold go to stderr as
 * "PROGRAM: PRIORITY: message"; output goes to stdout. Given to the loader by the commands, which
 * choose the threshold from -q and -v.
 */
public final class ConsoleLog implements Log {
    private final String program;
    private final int threshold;
    private final PrintStream out;
    private final PrintStream err;

    public ConsoleLog(String program, int threshold, PrintStream out, PrintStream err) {
        this.program = program;
        this.threshold = threshold;
        this.out = out;
        this.err = err;
    }

    public ConsoleLog(String program, int threshold) {
        this(program, threshold, System.out, System.err);
    }

    @Override
    public void log(int priority, String message) {
        if (priority <= threshold) {
            out.flush();
            err.print(program + ": " + Log.name(priority) + ": " + message);
            err.flush();
        }
    }

    @Override
    public void out(String text) {
        out.print(text);
        out.flush();
    }

    @Override
    public void stderr(String text) {
        out.flush();
        err.print(text);
        err.flush();
    }

    /** MNT from --mount, else $DENYFS_MOUNT, else null. */
    public static java.nio.file.Path mount(java.nio.file.Path option) {
        if (option != null) {
            return option.toAbsolutePath();
        }
        String env = System.getenv("DENYFS_MOUNT");
        return env == null || env.isEmpty() ? null : java.nio.file.Path.of(env).toAbsolutePath();
    }
}
