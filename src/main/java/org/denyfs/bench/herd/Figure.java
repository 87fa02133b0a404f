package org.denyfs.bench.herd;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The figures a herd reports, each once: its CSV column, its label in the table, and how to read it
 * off a {@link Result}. The table, the CSV and the JSON all list these, in this order.
 */
enum Figure {
    WASTED("wasted_bytes", "Virtual mem wasted bytes", Unit.BYTES, r -> r.stat(Result.WASTED)),
    KREAD("failed_kread_bytes", "  Failed kread bytes", Unit.BYTES, r -> r.stat("Failed kread bytes")),
    DECOMPRESS("failed_decompress_bytes", "  Failed decompress bytes", Unit.BYTES, r -> r.stat("Failed decompress bytes")),
    BECOMING("failed_becoming_bytes", "  Failed becoming bytes", Unit.BYTES, r -> r.stat("Failed becoming bytes")),
    KMOD("failed_kmod_bytes", "  Failed kmod bytes", Unit.BYTES, r -> r.stat("Failed kmod bytes")),
    PEAK("peak_in_flight_bytes", "Peak bytes in flight", Unit.BYTES, r -> r.stat(Result.PEAK)),
    LOADED("modules_loaded", "Modules loaded", Unit.COUNT, r -> r.modulesLoaded()),
    REQUESTED("modules_requested", "Modules requested", Unit.COUNT, r -> r.requested().size()),
    LIVE("modules_live", "  live at the end", Unit.COUNT, r -> r.requested().stream().filter(r.live()::contains).count()),
    MISSING("modules_missing", "  missing (never live)", Unit.COUNT, r -> r.missing().size()),
    LAST_LIVE("last_live_ms", "Last requested module live", Unit.MILLIS, Result::lastLiveMillis),
    FINIT("finit_calls", "finit_module calls", Unit.COUNT, r -> r.finit(null)),
    FINIT_OK("finit_0", "  returned 0", Unit.COUNT, r -> r.finit("0")),
    FINIT_EEXIST("finit_eexist", "  EEXIST", Unit.COUNT, r -> r.finit("EEXIST")),
    FINIT_ETXTBSY("finit_etxtbsy", "  ETXTBSY", Unit.COUNT, r -> r.finit("ETXTBSY")),
    FINIT_OTHER("finit_other", "  other errors", Unit.COUNT, Result::finitOther),
    INIT("init_calls", "init_module calls", Unit.COUNT, Result::initCalls),
    FAILED_WORKERS("failed_workers", "Workers failed", Unit.COUNT, Result::failedWorkers),
    WALL("wall_ms", "Wall time (release to last exit)", Unit.MILLIS, Result::wallMillis),
    DAEMON_CPU("daemon_cpu_ms", "Daemon CPU time", Unit.MILLIS, Result::daemonCpuMillis),
    CPU_PER_FINIT("daemon_cpu_per_finit_us", "  per finit call, all work", Unit.MICROS, Result::daemonCpuPerFinitMicros),
    FINIT_CPU_PER_CALL("finit_cpu_per_call_us", "  per finit call, inside it", Unit.MICROS, Result::finitCpuPerCallMicros),
    RSS_BEFORE("daemon_rss_before_kib", "Daemon RSS before the herd", Unit.KIB, Result::daemonRssBeforeKiB),
    PEAK_RSS("daemon_peak_rss_kib", "Daemon peak RSS (VmHWM)", Unit.KIB, Result::daemonPeakRssKiB),
    PEAK_WORKERS("daemon_peak_fuse_workers", "Daemon peak FUSE worker threads", Unit.COUNT, Result::daemonPeakFuseWorkers);

    enum Unit {
        BYTES, COUNT, MILLIS, MICROS, KIB
    }

    final String column;
    final String label;
    final Unit unit;
    private final ToDoubleFunction<Result> value;

    Figure(String column, String label, Unit unit, ToDoubleFunction<Result> value) {
        this.column = column;
        this.label = label;
        this.unit = unit;
        this.value = value;
    }

    double of(Result r) {
        return value.applyAsDouble(r);
    }

    /** For people: thousands separated, times with their unit; "-" for a figure that does not exist. */
    String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return switch (unit) {
            case BYTES, COUNT -> String.format(Locale.ROOT, "%,d", Math.round(v));
            case MILLIS -> v >= 10_000 ? String.format(Locale.ROOT, "%.1f s", v / 1000)
                    : String.format(Locale.ROOT, "%,.0f ms", v);
            case MICROS -> String.format(Locale.ROOT, "%,.0f us", v);
            case KIB -> String.format(Locale.ROOT, "%,.1f MiB", v / 1024);
        };
    }

    /** For machines: plain numbers, integers without a decimal point, empty for none. */
    String csv(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return unit == Unit.MILLIS || unit == Unit.MICROS ? String.format(Locale.ROOT, "%.3f", v)
                : Long.toString(Math.round(v));
    }
}
