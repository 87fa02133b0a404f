package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** module_wq's waits without a thread: {@link ModuleTable#park}, {@link ModuleTable#wakeAll} and the deadline. */
class ModuleTableTest {
    private final ModuleTable table = new ModuleTable();

    /** A deadline far enough off that parking certainly comes first, near enough for a test. */
    private static long soon() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    }

    @Test
    void park_conditionAlreadyTrue_isDoneAtOnce_andNothingIsParked() {
        assertThat(table.park(new ModuleTable.Wait(() -> true, ModuleTable.Wait.NO_DEADLINE), o -> {
            throw new AssertionError("resumed");
        })).isEqualTo(ModuleTable.Outcome.DONE);
        assertThat(table.parkedLoads()).isZero();
    }

    @Test
    void park_deadlinePassed_timesOutAtOnce() {
        assertThat(table.park(new ModuleTable.Wait(() -> false, System.nanoTime() - 1), o -> {
            throw new AssertionError("resumed");
        })).isEqualTo(ModuleTable.Outcome.TIMED_OUT);
        assertThat(table.parkedLoads()).isZero();
    }

    @Test
    void wakeAll_resumesOnlyTheLoadsWhoseConditionHolds_eachOnce() throws Exception {
        AtomicBoolean first = new AtomicBoolean();
        AtomicInteger evaluations = new AtomicInteger();
        CompletableFuture<ModuleTable.Outcome> a = new CompletableFuture<>();
        CompletableFuture<ModuleTable.Outcome> b = new CompletableFuture<>();
        assertThat(table.park(new ModuleTable.Wait(() -> {
            evaluations.incrementAndGet();
            return first.get();
        }, ModuleTable.Wait.NO_DEADLINE), a::complete)).isNull();
        assertThat(table.park(new ModuleTable.Wait(() -> false, ModuleTable.Wait.NO_DEADLINE), b::complete)).isNull();
        assertThat(table.parkedLoads()).isEqualTo(2);

        first.set(true);
        wakeAll();
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(ModuleTable.Outcome.DONE);
        assertThat(table.parkedLoads()).isEqualTo(1);
        int seen = evaluations.get();
        wakeAll(); // a condition that has held is never asked again (it may take a reference)
        assertThat(evaluations.get()).isEqualTo(seen);
        assertThat(b).isNotDone();
    }

    @Test
    void deadline_conditionFalse_resumesTimedOut_fromTheTimer() throws Exception {
        CompletableFuture<ModuleTable.Outcome> resumed = new CompletableFuture<>();
        assertThat(table.park(new ModuleTable.Wait(() -> false, soon()), resumed::complete)).isNull();
        assertThat(resumed.get(10, TimeUnit.SECONDS)).isEqualTo(ModuleTable.Outcome.TIMED_OUT);
        assertThat(table.parkedLoads()).isZero();
    }

    @Test
    void deadline_conditionTrueByThenWithoutAWakeUp_theLastCheckMakesItDone() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<ModuleTable.Outcome> resumed = new CompletableFuture<>();
        assertThat(table.park(new ModuleTable.Wait(done::get, soon()), resumed::complete)).isNull();
        done.set(true); // nobody calls wakeAll: only the deadline's own check can see it
        assertThat(resumed.get(10, TimeUnit.SECONDS)).isEqualTo(ModuleTable.Outcome.DONE);
    }

    @Test
    void wakeAll_beforeTheDeadline_resumesOnce_theTimerFindsNothingLeft() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger resumptions = new AtomicInteger();
        CompletableFuture<ModuleTable.Outcome> resumed = new CompletableFuture<>();
        assertThat(table.park(new ModuleTable.Wait(done::get, soon()), o -> {
            resumptions.incrementAndGet();
            resumed.complete(o);
        })).isNull();
        done.set(true);
        wakeAll();
        assertThat(resumed.get(10, TimeUnit.SECONDS)).isEqualTo(ModuleTable.Outcome.DONE);
        // the first one's timer, had it fired, came before this later one's: wait for that
        CompletableFuture<ModuleTable.Outcome> later = new CompletableFuture<>();
        assertThat(table.park(new ModuleTable.Wait(() -> false, soon() + TimeUnit.MILLISECONDS.toNanos(100)), later::complete)).isNull();
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(ModuleTable.Outcome.TIMED_OUT);
        assertThat(resumptions.get()).isEqualTo(1);
    }

    private void wakeAll() {
        table.mutex.lock();
        try {
            table.wakeAll();
        } finally {
            table.mutex.unlock();
        }
    }
}
