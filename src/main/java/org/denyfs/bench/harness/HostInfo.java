package org.denyfs.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine and tool versions behind the figures, for results.json: numbers without them mean little. */
public final class HostInfo {
    private HostInfo() {
    }

    public static Map<String, Object> collect(Exec exec) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        h.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        h.put("cpus", Runtime.getRuntime().availableProcessors());
        h.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        h.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        h.put("bindfs", version(exec, List.of("bindfs", "--version")));
        return h;
    }

    /** /proc/loadavg's first three fields; a busy machine makes every figure noisy, so the report says so. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average, NaN if unknown. */
    public static double oneMinuteLoad(String loadAverage) {
        try {
            return Double.parseDouble(loadAverage.split(" ")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }

    private static String version(Exec exec, List<String> command) {
        if (Executables.onPath(command.get(0)).isEmpty()) {
            return "not installed";
        }
        try {
            Exec.Result r = exec.run(command, Duration.ofSeconds(10));
            String out = (r.stdout() + r.stderr()).strip();
            return out.isEmpty() ? "unknown" : out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
