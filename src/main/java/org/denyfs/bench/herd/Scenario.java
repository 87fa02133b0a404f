package org.denyfs.bench.herd;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Which device events a herd replays, whatever program each worker runs (--worker): udev's CPU
 * uevents, every worker asking for the same MODALIAS (the seed commit's case), or a coldplug at
 * boot, one worker per distinct device event.
 *
 * @param seed picks the coldplug events derived from the tree (the same seed, tree and count give the same events)
 * @param eventsFile coldplug events given by the user, one MODALIAS per line; null derives them from the tree
 * @param inFlight a module loaded through the control file before the release, which is released only once that
 *     module is COMING, so every probe needing it meets a load in flight; null for none
 */
record Scenario(Kind kind, long seed, Path eventsFile, String inFlight) {
    enum Kind {
        /** N workers, one CPU uevent each, all with the same MODALIAS. */
        CPU,
        /** One worker per distinct device event, as udev's coldplug triggers them at boot. */
        COLDPLUG;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final long DEFAULT_SEED = 1;

    static Scenario cpu() {
        return new Scenario(Kind.CPU, DEFAULT_SEED, null, null);
    }

    Scenario {
        if (kind == Kind.CPU && eventsFile != null) {
            throw new IllegalArgumentException("--events goes with --scenario coldplug (the cpu scenario takes --modalias)");
        }
        if (inFlight != null && !inFlight.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("--in-flight takes a module name, not '" + inFlight + "'");
        }
    }

    static Kind kind(String name) {
        try {
            return Kind.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--scenario takes cpu or coldplug, not '" + name + "'");
        }
    }
}
