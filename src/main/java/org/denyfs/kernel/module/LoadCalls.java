package org.denyfs.kernel.module;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * What each finit_module and init_module call of this daemon came to, per module file and result,
 * with the daemon CPU time the calls used (their threads' own CPU clocks, so time spent waiting for
 * another load, an init or a symbol does not count). The kernel keeps no such table; the herd
 * benchmark needs it to say how many calls ended in 0, EEXIST or ETXTBSY and which file failed them.
 * Lock-free: a concurrent map of adders.
 */
final class LoadCalls {
    static final String FINIT = "finit_module";
    static final String INIT = "init_module";
    /** The result column for a call that returned 0. */
    static final String OK = "0";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = THREADS.isCurrentThreadCpuTimeSupported();

    private record Key(String call, String file, String result) {}

    private record Tally(LongAdder count, LongAdder cpuNanos) {
        Tally() {
            this(new LongAdder(), new LongAdder());
        }
    }

    private final ConcurrentHashMap<Key, Tally> tallies = new ConcurrentHashMap<>();
    private final CallTrace trace = new CallTrace();

    /** The calling thread's CPU time now, or 0 where the JVM cannot tell. */
    static long threadCpuNanos() {
        return CPU_CLOCK ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    /**
     * Runs one call of {@code call} on {@code file} and records what it came to: 0, its ErrnoException's
     * errno, or EIO for anything else (which is rethrown as it is), with the thread's CPU time.
     */
    void account(String call, String file, Runnable body) {
        long cpu = threadCpuNanos();
        Errno error = Errno.EIO;
        try {
            body.run();
            error = null;
        } catch (ErrnoException e) {
            error = e.errno();
            throw e;
        } finally {
            record(call, file, error, threadCpuNanos() - cpu);
        }
    }

    /** One call of {@code call} on {@code file} that returned 0 ({@code error} null) or failed with {@code error}. */
    void record(String call, String file, Errno error, long cpuNanos) {
        String result = error == null ? OK : error.name();
        trace.record(call, file, result);
        Tally t = tallies.computeIfAbsent(new Key(call, file, result), k -> new Tally());
        t.count().increment();
        t.cpuNanos().add(Math.max(0, cpuNanos));
    }

    /** The text of {@code .denyfs/calltrace}: the same calls one by one, in the order they ended. */
    String traceText() {
        return trace.text();
    }

    /**
     * The text of {@code .denyfs/calls}: a header, then one tab-separated line per call, file and
     * result, sorted: "finit_module\tcryptd.ko\tEEXIST\t254\t81234" (count, then CPU microseconds).
     */
    String text() {
        List<String> lines = new ArrayList<>();
        tallies.forEach((k, t) -> lines.add(k.call() + '\t' + k.file() + '\t' + k.result() + '\t' + t.count().sum()
                + '\t' + t.cpuNanos().sum() / 1000));
        lines.sort(Comparator.naturalOrder());
        StringBuilder sb = new StringBuilder("# call\tfile\tresult\tcount\tcpu_us\n");
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
