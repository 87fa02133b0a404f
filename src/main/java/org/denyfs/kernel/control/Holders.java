package org.denyfs.kernel.control;

import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Collectors;
import org.denyfs.core.Hold;
import org.denyfs.core.Inode;

/**
 * The holders reply: one entry per hold, oldest first, "KIND pid=N uid=N since=ISO-8601". FUSE
 * gives the id of the calling thread; the reply names its process (Tgid), as ps(1) would, so a
 * deny taken by a multi-threaded program (a JVM) shows that program's pid.
 */
final class Holders {
    private Holders() {}

    static String describe(Inode inode) {
        if (inode == null || inode.holds().isEmpty()) {
            return "-";
        }
        return inode.holds().stream()
                .sorted(Comparator.comparingLong(Hold::sequence))
                .map(h -> h.kind().label() + " pid=" + processOf(h.pid()) + " uid=" + h.uid()
                        + " since=" + Instant.ofEpochMilli(h.sinceMillis()))
                .collect(Collectors.joining(", "));
    }

    /** The process a thread id belongs to; the id itself once the thread has gone. */
    static int processOf(int tid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException gone) {
            // the thread has gone: its id is all there is
        }
        return tid;
    }
}
