package org.denyfs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The count against a model written straight from REFERENCE section 1, and the invariants under
 * real threads: never writers and deniers at once, and back to 0 once everybody has let go.
 */
class WriteCountProperties {
    enum Op { GET, PUT, DENY, ALLOW, XDENY }

    @Property
    void singleThreaded_matchesTheModel(@ForAll("ops") List<Op> ops) {
        WriteCount count = new WriteCount();
        int writers = 0;
        int deniers = 0;
        for (Op op : ops) {
            boolean modelRefuses = switch (op) {
                case GET -> deniers > 0;
                case DENY -> writers > 0;
                case XDENY -> writers > 0 || deniers > 0;
                case PUT -> writers == 0;
                case ALLOW -> deniers == 0;
            };
            boolean refused = false;
            try {
                switch (op) {
                    case GET -> count.get();
                    case PUT -> count.put();
                    case DENY -> count.deny();
                    case ALLOW -> count.allow();
                    case XDENY -> count.exclusiveDeny();
                }
            } catch (ErrnoException | IllegalStateException e) {
                refused = true;
            }
            assertThat(refused).as("%s with %d writers, %d deniers", op, writers, deniers).isEqualTo(modelRefuses);
            if (!refused) {
                switch (op) {
                    case GET -> writers++;
                    case PUT -> writers--;
                    case DENY, XDENY -> deniers++;
                    case ALLOW -> deniers--;
                }
            }
            assertThat(count.value()).isEqualTo(writers - deniers);
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Arbitraries.of(Op.class).list().ofMaxSize(200);
    }

    @Property(tries = 50)
    void manyThreads_neverMixWritersAndDeniers_andEndAtZero(
            @ForAll @IntRange(min = 2, max = 8) int threads,
            @ForAll @Size(min = 1, max = 300) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 2) Integer> script)
            throws Exception {
        WriteCount count = new WriteCount();
        AtomicInteger writersNow = new AtomicInteger();
        AtomicInteger deniersNow = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            workers.add(new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    return;
                }
                for (int i = 0; i < script.size(); i++) {
                    int kind = (script.get(i) + offset) % 3;
                    try {
                        if (kind == 0) {
                            count.get();
                            writersNow.incrementAndGet();
                            if (deniersNow.get() > 0) {
                                violations.incrementAndGet();
                            }
                            writersNow.decrementAndGet();
                            count.put();
                        } else {
                            if (kind == 1) {
                                count.deny();
                            } else {
                                count.exclusiveDeny();
                            }
                            deniersNow.incrementAndGet();
                            if (writersNow.get() > 0) {
                                violations.incrementAndGet();
                            }
                            deniersNow.decrementAndGet();
                            count.allow();
                        }
                    } catch (ErrnoException refused) {
                        assertThat(refused.errno()).isEqualTo(Errno.ETXTBSY);
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(violations.get()).isZero();
        assertThat(count.value()).isZero();
    }
}
