package org.denyfs.kernel.module;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedList;
import java.util.List;

/**
 * dup_failed_modules of kernel/module/stats.c: one entry per module name that ever lost a duplicate
 * check, newest entry first, with a count and the set of reasons. Guarded by its own monitor, a
 * leaf lock (taken under module_mutex when recording, as try_add_failed_module() is).
 */
final class DupFailures {
    /** enum fail_dup_mod_reason. */
    enum Reason { BECOMING, LOAD }

    /** One struct mod_fail_load. */
    record Row(String name, long count, String reason) {}

    private static final class Entry {
        final String name;
        long count;
        final EnumSet<Reason> reasons = EnumSet.noneOf(Reason.class);

        Entry(String name) {
            this.name = name;
        }
    }

    private final LinkedList<Entry> entries = new LinkedList<>();

    /** try_add_failed_module(). */
    synchronized void record(String name, Reason reason) {
        for (Entry e : entries) {
            if (e.name.equals(name)) {
                e.count++;
                e.reasons.add(reason);
                return;
            }
        }
        Entry e = new Entry(name);
        e.count = 1;
        e.reasons.add(reason);
        entries.addFirst(e);
    }

    /** The first {@code max} rows, newest first. */
    synchronized List<Row> rows(int max) {
        List<Row> out = new ArrayList<>();
        for (Entry e : entries) {
            if (out.size() >= max) {
                break;
            }
            out.add(new Row(e.name, e.count, reason(e.reasons)));
        }
        return out;
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /** mod_fail_to_str(). */
    private static String reason(EnumSet<Reason> r) {
        if (r.contains(Reason.BECOMING) && r.contains(Reason.LOAD)) {
            return "Becoming & Load";
        }
        if (r.contains(Reason.BECOMING)) {
            return "Becoming";
        }
        if (r.contains(Reason.LOAD)) {
            return "Load";
        }
        return "Bug-on-stats";
    }
}
