package org.denyfs.control;

import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Collectors;
import org.denyfs.core.Hold;
import org.denyfs.core.Inode;

/** The holders reply: one entry per hold, oldest first, "KIND pid=N uid=N since=ISO-8601". */
final class Holders {
    private Holders() {}

    static String describe(Inode inode) {
        if (inode == null || inode.holds().isEmpty()) {
            return "-";
        }
        return inode.holds().stream()
                .sorted(Comparator.comparingLong(Hold::sequence))
                .map(h -> h.kind().label() + " pid=" + h.pid() + " uid=" + h.uid()
                        + " since=" + Instant.ofEpochMilli(h.sinceMillis()))
                .collect(Collectors.joining(", "));
    }
}
