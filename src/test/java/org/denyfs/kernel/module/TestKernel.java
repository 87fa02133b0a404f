package org.denyfs.kernel.module;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.testing.Fixtures;

/**
 * Test scaffolding around {@link Modules}: a kernel that accepts the fixtures, an init function
 * that blocks chosen modules on latches (so a test can hold a module in COMING as long as it wants,
 * without sleeping), and threads that stand in for processes.
 */
final class TestKernel implements AutoCloseable {
    static final long WAIT_S = 10;

    final InitGate init = new InitGate();
    final ExecutorService processes = Executors.newCachedThreadPool();

    /** A kernel for the fixtures: their vermagic, vmlinux = {_printk}, instant init unless gated. */
    Modules.Builder builder() {
        return Modules.builder()
                .vermagic(Fixtures.VERMAGIC)
                .vmlinux(VmlinuxSymbols.of(Set.of("_printk")))
                .init(init);
    }

    /** Runs {@code call} on another thread; the future gives its errno, or null for success. */
    Future<Errno> process(Runnable call) {
        return processes.submit(() -> errnoOf(call));
    }

    static Errno errnoOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    static Errno get(Future<Errno> f) throws Exception {
        return f.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        init.openAll();
        processes.shutdownNow();
    }

    /** The modules' init: instant, unless a test gated or failed a module by name. */
    static final class InitGate implements Modules.ModuleInit {
        private final Map<String, Gate> gates = new ConcurrentHashMap<>();
        private final Map<String, Errno> failures = new ConcurrentHashMap<>();

        /** The next inits of {@code module} block until {@link Gate#open()}. */
        Gate gate(String module) {
            Gate g = new Gate();
            gates.put(module, g);
            return g;
        }

        void fail(String module, Errno errno) {
            failures.put(module, errno);
        }

        void openAll() {
            gates.values().forEach(Gate::open);
        }

        @Override
        public void init(String module, String params) throws InterruptedException {
            Gate g = gates.get(module);
            if (g != null) {
                g.entered.countDown();
                g.release.await();
            }
            Errno e = failures.get(module);
            if (e != null) {
                throw new ErrnoException(e, module + " init failed");
            }
        }
    }

    static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        void awaitEntered() throws InterruptedException {
            if (!entered.await(WAIT_S, TimeUnit.SECONDS)) {
                throw new AssertionError("init never started");
            }
        }

        void open() {
            release.countDown();
        }
    }

    static Duration shortWait() {
        return Duration.ofMillis(200);
    }
}
