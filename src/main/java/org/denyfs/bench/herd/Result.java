package org.denyfs.bench.herd;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One herd on one fresh mount: the daemon's accounting after the last worker ended, the workers'
 * outcome, and the daemon's own cost.
 *
 * @param stats the figures of .denyfs/stats, by label ("Virtual mem wasted bytes", ...)
 * @param failures "MODULE: MESSAGE" to the number of workers that printed it
 * @param failedByError "MESSAGE" (any module) to the number of workers that printed it
 * @param daemonCpuMillis the daemon's user plus system CPU time from just before the launcher starts (its
 *     index reads and forks included) to the last worker's end
 * @param requested the modules the herd's events ask for (each probe's modules, dependencies included)
 * @param live the modules /proc/modules shows Live after the last worker ended
 * @param trace every finit/init_module call, in the order they ended
 */
record Result(String policy, int round, int workers, long initMillis, Map<String, Long> stats,
                  List<Accounting.Call> calls, int modulesLoaded, int failedWorkers, Map<String, Integer> failures,
                  double wallMillis, double forkMillis, double daemonCpuMillis, long daemonRssBeforeKiB,
                  long daemonPeakRssKiB, Accounting.Timeline timeline, List<String> requested, Set<String> live,
                  List<Accounting.Traced> trace, Map<String, Integer> failedByError, long daemonPeakFuseWorkers) {
    static final String WASTED = "Virtual mem wasted bytes";
    static final List<String> WASTE_PARTS = List.of(
            "Failed kread bytes", "Failed decompress bytes", "Failed becoming bytes", "Failed kmod bytes");
    static final String PEAK = "Peak bytes in flight";

    /** Requested modules that never went live, sorted: the drivers a coldplug lost. */
    List<String> missing() {
        return requested.stream().filter(m -> !live.contains(m)).sorted().toList();
    }

    /** When each module went live: its file's first finit_module that returned 0, in ms since the release. */
    Map<String, Double> liveAt() {
        Map<String, Double> at = new TreeMap<>();
        for (Accounting.Traced t : trace) {
            if (t.call().equals("finit_module") && t.result().equals("0")) {
                at.putIfAbsent(t.module(), t.millis());
            }
        }
        return at;
    }

    /** The seed's "boot time": ms from the release until the last requested module was live; NaN while any is missing. */
    double lastLiveMillis() {
        if (!missing().isEmpty() || requested.isEmpty()) {
            return Double.NaN;
        }
        Map<String, Double> at = liveAt();
        return requested.stream().filter(at::containsKey).mapToDouble(at::get).max().orElse(Double.NaN);
    }

    long stat(String label) {
        return stats.getOrDefault(label, 0L);
    }

    /** finit_module calls that ended in {@code result} ("0", "EEXIST", ...); null counts every result. */
    long finit(String result) {
        return calls.stream().filter(c -> c.call().equals("finit_module") && (result == null || c.result().equals(result)))
                .mapToLong(Accounting.Call::count).sum();
    }

    long finitOther() {
        return finit(null) - finit("0") - finit("EEXIST") - finit("ETXTBSY");
    }

    long initCalls() {
        return calls.stream().filter(c -> c.call().equals("init_module")).mapToLong(Accounting.Call::count).sum();
    }

    /** CPU the daemon's threads spent inside finit_module calls (waits excluded). */
    long finitCpuMicros() {
        return calls.stream().filter(c -> c.call().equals("finit_module")).mapToLong(Accounting.Call::cpuMicros).sum();
    }

    /** All the daemon's CPU during the herd (FUSE requests, views, loads), per finit_module call. */
    double daemonCpuPerFinitMicros() {
        long n = finit(null);
        return n == 0 ? Double.NaN : daemonCpuMillis * 1000 / n;
    }

    double finitCpuPerCallMicros() {
        long n = finit(null);
        return n == 0 ? Double.NaN : (double) finitCpuMicros() / n;
    }
}
