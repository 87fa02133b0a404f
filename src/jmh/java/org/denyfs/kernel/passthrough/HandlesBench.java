package org.denyfs.kernel.passthrough;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * passthrough.Handles, the fh table: get is on every READ and WRITE, add/remove on every open/release.
 * chmGet is the ConcurrentHashMap&lt;Long, Handle&gt; it replaced, for comparison. Run with
 * {@code -prof gc} to see the allocation per operation (gc.alloc.rate.norm).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HandlesBench {
    private static final int OPEN = 1000;

    final Handles handles = new Handles();
    final ConcurrentHashMap<Long, Handle> chm = new ConcurrentHashMap<>();
    final long[] fhs = new long[OPEN];

    @Setup
    public void setup() {
        for (int i = 0; i < OPEN; i++) {
            Handle h = new Handle() {
                public int read(long buf, long size, long offset) { return 0; }
                public int write(long buf, long size, long offset) { return 0; }
                public void release() {}
            };
            fhs[i] = handles.add(h);
            chm.put(fhs[i], h);
        }
    }

    private long anyFh() {
        return fhs[ThreadLocalRandom.current().nextInt(OPEN)];
    }

    @Benchmark
    @Threads(1)
    public Handle get_1thread() {
        return handles.get(anyFh());
    }

    @Benchmark
    @Threads(4)
    public Handle get_4threads() {
        return handles.get(anyFh());
    }

    @Benchmark
    @Threads(4)
    public Handle chmGet_4threads() {
        return chm.get(anyFh());
    }

    @Benchmark
    @Threads(1)
    public Handle addRemove_1thread() {
        return handles.remove(handles.add(handles.get(anyFh())));
    }

    @Benchmark
    @Threads(4)
    public Handle addRemove_4threads() {
        return handles.remove(handles.add(handles.get(anyFh())));
    }
}
