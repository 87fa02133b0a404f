package org.denyfs.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The write-count paths an open and its release take: get_write_access/put_write_access on one
 * WriteCount, and the whole Inodes.take/release (pin, listed hold, count, unpin). "same" has every
 * thread on one inode (the contended case: many writers of one file); "own" gives each thread its
 * own inode (many files, the case of the meta benchmarks).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WriteCountBench {

    @State(Scope.Benchmark)
    public static class Shared {
        final WriteCount count = new WriteCount();
        final Inodes inodes = new Inodes();
        final InodeKey key = new InodeKey(1, 1);
    }

    @State(Scope.Thread)
    public static class Own {
        private static final AtomicLong NEXT = new AtomicLong(100);
        final InodeKey key = new InodeKey(1, NEXT.getAndIncrement());
    }

    @Benchmark
    @Threads(1)
    public void getPut_1thread(Shared s) {
        s.count.get();
        s.count.put();
    }

    @Benchmark
    @Threads(2)
    public void getPut_2threads(Shared s) {
        s.count.get();
        s.count.put();
    }

    @Benchmark
    @Threads(4)
    public void getPut_4threads(Shared s) {
        s.count.get();
        s.count.put();
    }

    @Benchmark
    @Threads(1)
    public void takeRelease_same_1thread(Shared s) {
        s.inodes.release(s.inodes.take(s.key, HoldKind.WRITE, 1, 0));
    }

    @Benchmark
    @Threads(4)
    public void takeRelease_same_4threads(Shared s) {
        s.inodes.release(s.inodes.take(s.key, HoldKind.WRITE, 1, 0));
    }

    @Benchmark
    @Threads(4)
    public void takeRelease_own_4threads(Shared s, Own o) {
        s.inodes.release(s.inodes.take(o.key, HoldKind.WRITE, 1, 0));
    }
}
