package org.denyfs.bench.io;

import java.util.HashMap;
import java.util.Map;

/** Parses the single {@code iobench key=value ...} line iobench prints on stdout. */
public final class ResultLine {
    private ResultLine() {
    }

    /** @throws IllegalArgumentException if no iobench line is present or a field is missing or malformed */
    public static RunResult parse(String stdout, String target, Workload workload, int run, int position) {
        Map<String, String> kv = fields(stdout);
        try {
            return new RunResult(target, workload, run, position,
                    Long.parseLong(need(kv, "ops")), Long.parseLong(need(kv, "bytes")),
                    Double.parseDouble(need(kv, "seconds")), Double.parseDouble(need(kv, "mib_per_s")),
                    Double.parseDouble(need(kv, "ops_per_s")), Long.parseLong(need(kv, "median_ns")),
                    Long.parseLong(need(kv, "p99_ns")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed number in iobench output: " + stdout.strip(), e);
        }
    }

    static Map<String, String> fields(String stdout) {
        for (String line : stdout.split("\n")) {
            String l = line.strip();
            if (l.startsWith("iobench ")) {
                Map<String, String> kv = new HashMap<>();
                for (String tok : l.substring("iobench ".length()).trim().split("\\s+")) {
                    int eq = tok.indexOf('=');
                    if (eq > 0) {
                        kv.put(tok.substring(0, eq), tok.substring(eq + 1));
                    }
                }
                return kv;
            }
        }
        throw new IllegalArgumentException("no 'iobench ...' result line in output: '" + stdout.strip() + "'");
    }

    private static String need(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("iobench output lacks '" + key + "': " + kv);
        }
        return v;
    }
}
