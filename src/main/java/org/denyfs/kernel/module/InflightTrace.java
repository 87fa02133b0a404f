package org.denyfs.kernel.module;

import java.util.Arrays;

/**
 * Bytes in flight over time: one (CLOCK_MONOTONIC nanoseconds, bytes after the change) pair per
 * allocation or free of a module buffer, in the order they happened. A herd of 1000 workers makes a
 * few tens of thousands of them; the trace keeps the first {@link #MAX_EVENTS} and counts the rest,
 * so a long-lived daemon's memory stays bounded (32 MiB at most).
 *
 * <p>Not thread-safe: {@link OffHeap} calls it under the lock that orders its counter.
 */
final class InflightTrace {
    static final int MAX_EVENTS = 1 << 21;

    private final int maxEvents;
    private long[] events = new long[2 * 1024];
    private int size;
    private long dropped;

    InflightTrace() {
        this(MAX_EVENTS);
    }

    InflightTrace(int maxEvents) {
        this.maxEvents = maxEvents;
    }

    void record(long nanos, long bytes) {
        if (size == maxEvents) {
            dropped++;
            return;
        }
        if (2 * size == events.length) {
            events = Arrays.copyOf(events, Math.min(2 * events.length, 2 * maxEvents));
        }
        events[2 * size] = nanos;
        events[2 * size + 1] = bytes;
        size++;
    }

    /**
     * The text of {@code .denyfs/inflight}: a comment line naming the clock and the count of events
     * not kept, then one "NANOS\tBYTES" line per event. System.nanoTime() is CLOCK_MONOTONIC on
     * Linux, so the times compare with any other process's clock_gettime(CLOCK_MONOTONIC).
     */
    String text() {
        return text(Arrays.copyOf(events, 2 * size), dropped);
    }

    /** A copy to format later: taken under OffHeap's lock, formatted outside it. */
    Snapshot snapshot() {
        return new Snapshot(Arrays.copyOf(events, 2 * size), dropped);
    }

    record Snapshot(long[] events, long dropped) {
        String text() {
            return InflightTrace.text(events, dropped);
        }
    }

    private static String text(long[] events, long dropped) {
        StringBuilder sb = new StringBuilder(32 + events.length * 12);
        sb.append("# clock_monotonic_ns\tbytes_in_flight\tdropped=").append(dropped).append('\n');
        for (int i = 0; i < events.length; i += 2) {
            sb.append(events[i]).append('\t').append(events[i + 1]).append('\n');
        }
        return sb.toString();
    }

    int size() {
        return size;
    }

    long dropped() {
        return dropped;
    }
}
