package org.denyfs.kernel.control;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.denyfs.kernel.natives.ReplyFilter;
import org.denyfs.kernel.passthrough.BackingIds;
import org.denyfs.kernel.passthrough.DataRequests;
import org.denyfs.kernel.passthrough.Handles;
import org.denyfs.kernel.passthrough.ReleaseLag;
import org.denyfs.kernel.pending.WritableMappings;

/**
 * The daemon's own figures in the {@code status} reply, counted where they happen: FUSE worker
 * threads started (the FUSE loop), FLUSH requests (the op table), RELEASEs that followed a FLUSH and
 * their lag (both sides' release), the handles open in every table, and the reply filter's
 * rewrites. The FUSE side only adds to counters here; the status reply only reads them, so no
 * request reaches back into the layer that counted.
 */
public final class DaemonFigures {
    private final AtomicInteger fuseThreadsStarted = new AtomicInteger();
    /** FUSE workers alive now, and the most ever alive at once. */
    private volatile int fuseWorkers;
    private final AtomicInteger fuseWorkersPeak = new AtomicInteger();
    private final LongAdder flushes = new LongAdder();
    private final ReleaseLag releaseLag = new ReleaseLag();
    private final ReplyFilter filter;
    private final BackingIds backingIds;
    private final DataRequests data;
    private final WritableMappings mappings;
    private final List<Handles> tables;

    /**
     * @param backingIds the kernel passthrough's state and ids
     * @param data the READ and WRITE requests served for backing files
     * @param mappings the write holds kept past a passed-through file's close while a mapping may write
     * @param tables every handle table of the mount (backing files', control tree's)
     */
    public DaemonFigures(ReplyFilter filter, BackingIds backingIds, DataRequests data, WritableMappings mappings,
                         Handles... tables) {
        this.filter = filter;
        this.backingIds = backingIds;
        this.data = data;
        this.mappings = mappings;
        this.tables = List.of(tables);
    }

    /** The data requests' counters, which the FUSE side adds to. */
    public DataRequests data() {
        return data;
    }

    /** A FUSE worker thread starts; returns how many have, this one included (its name's number). */
    public int fuseThreadStarted() {
        return fuseThreadsStarted.incrementAndGet();
    }

    /** The FUSE worker threads alive now. */
    public int fuseWorkers() {
        return fuseWorkers;
    }

    /** The FUSE workers alive now (the loop reports each change). */
    public void fuseWorkers(int alive) {
        fuseWorkers = alive;
        fuseWorkersPeak.accumulateAndGet(alive, Math::max);
    }

    /** The daemon's threads now, all of them (the JVM's own too), from /proc/self/status; -1 if unreadable. */
    static int osThreads() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** A FLUSH arrived (backing files are opened without one where the kernel knows FOPEN_NOFLUSH). */
    public void flushed() {
        flushes.increment();
    }

    public long flushes() {
        return flushes.sum();
    }

    /** Where each side's RELEASE records how long after the handle's last FLUSH it came. */
    public ReleaseLag releaseLag() {
        return releaseLag;
    }

    /** Handles open now, in every table. */
    public int openHandles() {
        int n = 0;
        for (Handles t : tables) {
            n += t.size();
        }
        return n;
    }

    /** The status reply's part: "handles=N flushes=N releases=N ... reads=N writes=N passthrough=on ... reply_filter=on ...". */
    String text() {
        return "handles=" + openHandles() + " flushes=" + flushes.sum() + " releases=" + releaseLag.count()
                + " release_lag_mean_us=" + releaseLag.meanMicros() + " release_lag_max_us=" + releaseLag.maxMicros()
                + " fuse_threads_started=" + fuseThreadsStarted.get() + " fuse_workers=" + fuseWorkers
                + " fuse_workers_peak=" + fuseWorkersPeak.get() + " threads=" + osThreads() + " " + data.figures() + " "
                + backingIds.figures() + " mapped_writers=" + mappings.size() + " " + filter.figures();
    }
}
