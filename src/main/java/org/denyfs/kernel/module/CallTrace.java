package org.denyfs.kernel.module;

import java.util.ArrayList;
import java.util.List;

/**
 * Every finit_module and init_module call in the order it ended: (CLOCK_MONOTONIC nanoseconds, call,
 * file, result). What {@link LoadCalls} adds up, kept in time so the herd benchmark can draw results
 * over time and tell when each module went live (the first finit of its file that returned 0). The
 * kernel keeps no such list. A herd of 1000 workers makes about 15,000 calls; the trace keeps the
 * first {@link #MAX_EVENTS} and counts the rest, so a long-lived daemon's memory stays bounded.
 *
 * <p>Thread-safe: one monitor, held for an append or a copy.
 */
final class CallTrace {
    static final int MAX_EVENTS = 1 << 17;

    private record Event(long nanos, String call, String file, String result) {}

    private final int maxEvents;
    private final List<Event> events = new ArrayList<>();
    private long dropped;

    CallTrace() {
        this(MAX_EVENTS);
    }

    CallTrace(int maxEvents) {
        this.maxEvents = maxEvents;
    }

    /** Records a call that ended now; the clock is read under the monitor, so the trace is in time order. */
    synchronized void record(String call, String file, String result) {
        if (events.size() == maxEvents) {
            dropped++;
            return;
        }
        events.add(new Event(System.nanoTime(), call, file, result));
    }

    synchronized int size() {
        return events.size();
    }

    /**
     * The text of {@code .denyfs/calltrace}: a comment line naming the columns and the count of calls
     * not kept, then "NANOS\tCALL\tFILE\tRESULT" per call, e.g. "81234567\tfinit_module\tcryptd.ko\tEEXIST".
     */
    String text() {
        List<Event> copy;
        long lost;
        synchronized (this) {
            copy = List.copyOf(events);
            lost = dropped;
        }
        StringBuilder sb = new StringBuilder(64 + copy.size() * 48);
        sb.append("# clock_monotonic_ns\tcall\tfile\tresult\tdropped=").append(lost).append('\n');
        for (Event e : copy) {
            sb.append(e.nanos()).append('\t').append(e.call()).append('\t').append(e.file()).append('\t')
                    .append(e.result()).append('\n');
        }
        return sb.toString();
    }
}
