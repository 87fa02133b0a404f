package org.denyfs.testkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One holder of a file's write count, as the control file's holders reply lists it.
 *
 * @param kind write, deny, xdeny, exec, module or module-xdeny
 * @param pid the process that opened the file, took the deny or runs the program
 */
public record Holder(String kind, long pid, int uid, Instant since) {
    /** "KIND pid=N uid=N since=ISO-8601, ..." or "-". */
    static List<Holder> parseAll(String reply) {
        List<Holder> holders = new ArrayList<>();
        if (reply.isBlank() || reply.equals("-")) {
            return holders;
        }
        for (String entry : reply.split(", ")) {
            String[] f = entry.trim().split(" ");
            if (f.length != 4 || !f[1].startsWith("pid=") || !f[2].startsWith("uid=") || !f[3].startsWith("since=")) {
                throw new IllegalArgumentException("not a holders entry: '" + entry + "'");
            }
            holders.add(new Holder(f[0], Long.parseLong(f[1].substring(4)), Integer.parseInt(f[2].substring(4)),
                    Instant.parse(f[3].substring(6))));
        }
        return holders;
    }
}
