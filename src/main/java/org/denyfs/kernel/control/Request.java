package org.denyfs.kernel.control;

import java.util.List;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/** One parsed control line: a verb and its arguments, split on single spaces. */
public record Request(String verb, List<String> args) {
    /** Longest request line accepted; longer ones are refused whole. */
    public static final int MAX_LINE = 4096;

    static Request parse(String line) {
        if (line.length() > MAX_LINE) {
            throw new ErrnoException(Errno.EINVAL, "request line longer than " + MAX_LINE + " bytes");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c == '\uFFFD') {
                throw new ErrnoException(Errno.EINVAL, "request line holds a control or non-UTF-8 byte");
            }
        }
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            throw new ErrnoException(Errno.EINVAL, "empty request");
        }
        int space = trimmed.indexOf(' ');
        if (space < 0) {
            return new Request(trimmed, List.of());
        }
        // PATH is the rest of the line, so names with spaces work without quoting.
        return new Request(trimmed.substring(0, space), List.of(trimmed.substring(space + 1).strip()));
    }

    String path() {
        if (args.isEmpty() || args.get(0).isEmpty()) {
            throw new ErrnoException(Errno.EINVAL, verb + ": missing " + (verb.equals("delete") ? "NAME" : "PATH"));
        }
        return args.get(0);
    }
}
