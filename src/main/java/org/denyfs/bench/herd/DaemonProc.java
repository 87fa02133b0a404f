package org.denyfs.bench.herd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A denyfs daemon seen through /proc: its CPU time (utime + stime) and its resident memory, now and
 * at its peak (VmHWM). Each policy's herd gets a fresh daemon, so the peak is that herd's own.
 */
final class DaemonProc {
    /** USER_HZ: what /proc/PID/stat counts CPU time in. 100 on every Linux architecture denyfs runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final int pid;

    DaemonProc(int pid) {
        this.pid = pid;
    }

    int pid() {
        return pid;
    }

    /** User plus system CPU time, in milliseconds. */
    double cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        // After "pid (comm) ": state is field 3, utime 14 and stime 15 (proc(5)); comm may hold blanks.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000.0 / TICKS_PER_SECOND;
    }

    long rssKiB() throws IOException {
        return statusKiB("VmRSS:");
    }

    long peakRssKiB() throws IOException {
        return statusKiB("VmHWM:");
    }

    private long statusKiB(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("/proc/" + pid + "/status has no " + key);
    }

    /** A figure NAME=N of the {@code status} reply; -1 (shown as such) from a daemon without it. */
    static long figureFromStatus(String reply, String name) {
        for (String word : reply.split(" ")) {
            if (word.startsWith(name + "=")) {
                return Long.parseLong(word.substring(name.length() + 1));
            }
        }
        return -1;
    }

    /** The pid from the control file's {@code status} reply: "ok pid=N inodes=...". */
    static int pidFromStatus(String reply) throws IOException {
        for (String word : reply.split(" ")) {
            if (word.startsWith("pid=")) {
                return Integer.parseInt(word.substring(4));
            }
        }
        throw new IOException("no pid in the daemon's status reply '" + reply + "'");
    }
}
