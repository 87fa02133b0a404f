package org.denyfs.kernel.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * Who may deny writes to a file through the control file: whoever may read it. The kernel takes a
 * deny only for a file the caller executes or loads, both of which need read access to the data;
 * reading is the weakest right that still implies "could have loaded it". Checked with the
 * caller's own uid, gid and supplementary groups (from /proc/PID/status), never the daemon's.
 * root (uid 0) may always, as CAP_DAC_OVERRIDE would allow. Queries and holder listings are open to
 * everybody who can reach the control file, as stat(2) and /proc are.
 */
final class Permissions {
    private Permissions() {}

    static void requireRead(Caller caller, Target file, String path) {
        if (caller.uid() == 0 || mayRead(caller, file)) {
            return;
        }
        throw new ErrnoException(Errno.EACCES, path + ": uid " + caller.uid() + " may not read it, so may not deny it");
    }

    private static boolean mayRead(Caller caller, Target file) {
        if (caller.uid() == file.uid()) {
            return (file.mode() & 0400) != 0;
        }
        if (caller.gid() == file.gid() || inSupplementaryGroups(caller.pid(), file.gid())) {
            return (file.mode() & 0040) != 0;
        }
        return (file.mode() & 0004) != 0;
    }

    private static boolean inSupplementaryGroups(int pid, int gid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("Groups:")) {
                    for (String g : line.substring(7).trim().split("\\s+")) {
                        if (!g.isEmpty() && Integer.parseInt(g) == gid) {
                            return true;
                        }
                    }
                }
            }
        } catch (IOException | NumberFormatException gone) {
            return false; // the process has gone: no right to extend
        }
        return false;
    }
}
