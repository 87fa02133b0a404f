package org.denyfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns a holders reply into a table, adding each holder's command name from /proc/PID/comm. */
final class HoldersTable {
    private HoldersTable() {}

    static String format(String holders) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "PID", "UID", "SINCE", "COMMAND"});
        if (!holders.equals("-")) {
            for (String entry : holders.split(", ")) {
                String[] f = entry.split(" ");
                String pid = value(f, "pid=");
                rows.add(new String[] {f[0], pid, value(f, "uid="), value(f, "since="), command(pid)});
            }
        }
        int[] width = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                out.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            out.append('\n');
        }
        return out.toString().stripTrailing();
    }

    private static String value(String[] fields, String key) {
        for (String f : fields) {
            if (f.startsWith(key)) {
                return f.substring(key.length());
            }
        }
        return "?";
    }

    private static String command(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).trim();
        } catch (IOException | RuntimeException gone) {
            return "-";
        }
    }
}
