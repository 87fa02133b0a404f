package org.denyfs.cli;

import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.Level;

/** The daemon's --log-level (or -o log_level=) as a log4j level; -o debug means debug. */
final class LogLevels {
    static final List<String> NAMES = List.of("error", "warn", "info", "debug", "trace");

    private LogLevels() {}

    static Level parse(String name, boolean debug) {
        if (name == null) {
            return debug ? Level.DEBUG : Level.INFO;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new IllegalArgumentException("log level '" + name + "': expected one of " + String.join(", ", NAMES));
        }
        return Level.toLevel(n);
    }
}
