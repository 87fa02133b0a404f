package org.denyfs.bench.herd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a herd leaves behind: the daemon's views (.denyfs/stats, .denyfs/calls,
 * .denyfs/inflight, .denyfs/proc/modules) and the workers' own words.
 */
final class Accounting {
    /**
     * What a worker says for a module a probe could not insert: modprobe's "ERROR: could not insert
     * 'NAME': MESSAGE", or udev's "Failed to insert module 'NAME': MESSAGE" (the libkmod workers).
     */
    private static final Pattern COULD_NOT_INSERT = Pattern.compile(
            "(?:ERROR: could not insert|Failed to insert module) '?([^':]+)'?: (.+)$");

    /** One line of .denyfs/calls. */
    record Call(String call, String file, String result, long count, long cpuMicros) {}

    /** Bytes in flight over the herd: milliseconds since the workers' release, and the bytes after each change. */
    record Timeline(double[] millis, long[] bytes, long dropped) {
        long peak() {
            long max = 0;
            for (long b : bytes) {
                max = Math.max(max, b);
            }
            return max;
        }
    }

    private Accounting() {
    }

    /** The "label\tnumber" lines of debugfs modules/stats (and denyfs's own), up to the duplicates table. */
    static Map<String, Long> stats(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("Duplicate failed modules")) {
                break;
            }
            int tab = line.lastIndexOf('\t');
            if (tab > 0) {
                try {
                    m.put(line.substring(0, tab).strip(), Long.parseUnsignedLong(line.substring(tab + 1).strip()));
                } catch (NumberFormatException e) {
                    // not a figure line
                }
            }
        }
        return m;
    }

    static List<Call> calls(String text) {
        List<Call> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t");
            if (line.startsWith("#") || f.length != 5) {
                continue;
            }
            rows.add(new Call(f[0], f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4])));
        }
        return rows;
    }

    /** The in-flight timeline, its times made relative to {@code releaseNanos} (same CLOCK_MONOTONIC). */
    static Timeline timeline(String text, long releaseNanos) {
        List<String> lines = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        double[] millis = new double[lines.size()];
        long[] bytes = new long[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            millis[i] = (Long.parseLong(f[0]) - releaseNanos) / 1e6;
            bytes[i] = Long.parseLong(f[1]);
        }
        long dropped = 0;
        if (text.startsWith("#") && text.contains("dropped=")) {
            String head = text.substring(0, text.indexOf('\n') < 0 ? text.length() : text.indexOf('\n'));
            dropped = Long.parseLong(head.substring(head.indexOf("dropped=") + 8).strip());
        }
        return new Timeline(millis, bytes, dropped);
    }

    /** One line of .denyfs/calltrace: when a call ended (ms since the release), which, on what file, with what result. */
    record Traced(double millis, String call, String file, String result) {
        /** The module a file holds, by the file's name: "aesni-intel.ko" is aesni_intel. */
        String module() {
            return ColdplugEvents.moduleName(file);
        }
    }

    /** The call trace, its times made relative to {@code releaseNanos} (same CLOCK_MONOTONIC). */
    static List<Traced> callTrace(String text, long releaseNanos) {
        List<Traced> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t");
            if (line.startsWith("#") || f.length != 4) {
                continue;
            }
            rows.add(new Traced((Long.parseLong(f[0]) - releaseNanos) / 1e6, f[1], f[2], f[3]));
        }
        return List.copyOf(rows);
    }

    /** The names of the modules /proc/modules shows Live. */
    static Set<String> liveModules(String procModules) {
        Set<String> live = new TreeSet<>();
        for (String line : procModules.split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 5 && f[4].equals("Live")) {
                live.add(f[0]);
            }
        }
        return live;
    }

    /** Lines of /proc/modules: one per module in the table. */
    static int modulesLoaded(String procModules) {
        return (int) procModules.lines().filter(l -> !l.isBlank()).count();
    }

    /**
     * Adds one worker's {@link #failures} to the tallies, counting workers, not lines: a worker that
     * printed "aesni_intel: Text file busy" twice, and "sha1_ssse3: Text file busy" once, adds 1 to
     * each of those two and 1 to "Text file busy" in {@code byError}.
     */
    static void countWorker(List<String> failures, Map<String, Integer> byModule, Map<String, Integer> byError) {
        failures.stream().distinct().forEach(f -> byModule.merge(f, 1, Integer::sum));
        failures.stream().map(f -> f.substring(f.indexOf(": ") + 2)).distinct().forEach(e -> byError.merge(e, 1, Integer::sum));
    }

    /** What stopped a worker: "MODULE: MESSAGE" for each module its probe could not insert. */
    static List<String> failures(String workerLog) {
        List<String> out = new ArrayList<>();
        for (String line : workerLog.split("\n")) {
            Matcher m = COULD_NOT_INSERT.matcher(line);
            if (m.find()) {
                out.add(m.group(1) + ": " + m.group(2).strip());
            }
        }
        return out;
    }
}
