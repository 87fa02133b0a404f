package org.denyfs.kernel.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.core.InodeKey;
import org.denyfs.core.Inodes;
import org.junit.jupiter.api.Test;

/**
 * A request that waits for another load without a thread: its future, EAGAIN on a non-blocking
 * read, the POLL wake-up, the order of the replies after it, and a blocking read that still waits.
 */
class SessionWaitTest {
    private static final Caller ROOT = new Caller(100, 0, 0);
    private final Inodes inodes = new Inodes();
    private static final long WAIT_S = 20;
    /** The load every "finit" joins: completed by the test, as the first caller's load would be. */
    private final CompletableFuture<Void> load = new CompletableFuture<>();
    /** The load a "finit" after the first joins. */
    private final CompletableFuture<Void> secondLoad = new CompletableFuture<>();
    private final AtomicInteger finits = new AtomicInteger();
    private final ModuleCalls waiting = new ModuleCalls() {
        @Override
        public void finit(Caller caller, String path, int flags, String params) {
            throw new AssertionError("the blocking call is not used");
        }

        @Override
        public CompletableFuture<Void> finitLater(Caller caller, String path, int flags, String params) {
            return finits.incrementAndGet() == 1 ? load : secondLoad;
        }

        @Override
        public ImageUpload beginInit(Caller caller, long len) {
            throw new ErrnoException(Errno.ENOSYS, "none");
        }

        @Override
        public void delete(Caller caller, String name, int flags) {}

        @Override
        public String policy(String change) {
            return "idempotent";
        }
    };
    private final Session session = new Control(inodes, path -> new Target(new InodeKey(1, 10), 0100644, 0, 0), waiting)
            .open(100, 0);

    private String readNow() {
        return new String(session.readNow(4096), StandardCharsets.UTF_8);
    }

    @Test
    void readNow_whileFinitWaits_eagain_thenTheReplyOnceTheLoadIsOver() {
        session.write("finit /m.ko\n", ROOT);
        assertThatThrownBy(this::readNow).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EAGAIN));
        load.complete(null);
        assertThat(readNow()).isEqualTo("ok 0\n");
    }

    @Test
    void readable_whileFinitWaits_false_andTheWakeUpRunsOnceWhenTheReplyIsIn() {
        session.write("finit /m.ko\n", ROOT);
        assertThatThrownBy(this::readNow).isInstanceOf(ErrnoException.class);
        AtomicInteger woken = new AtomicInteger();
        assertThat(session.readable(woken::incrementAndGet)).isFalse();
        load.complete(null);
        assertThat(woken).hasValue(1);
        assertThat(session.readable(woken::incrementAndGet)).isTrue();
        assertThat(readNow()).isEqualTo("ok 0\n");
        assertThat(woken).hasValue(1);
    }

    @Test
    void readNow_requestsAfterAWaitingOne_runAfterItsReply_inOrder() {
        session.write("finit /m.ko\npolicy\n", ROOT);
        assertThatThrownBy(this::readNow).isInstanceOf(ErrnoException.class);
        load.completeExceptionally(new ErrnoException(Errno.ENOEXEC, "finit_module: result of the concurrent load"));
        assertThat(readNow()).isEqualTo("err ENOEXEC finit_module: result of the concurrent load\nok idempotent\n");
    }

    @Test
    void read_blocking_waitsForTheLoadAsBefore() throws Exception {
        session.write("finit /m.ko\n", ROOT);
        CompletableFuture<String> reader = new CompletableFuture<>();
        Thread t = new Thread(() -> reader.complete(new String(session.read(4096), StandardCharsets.UTF_8)));
        t.start();
        // the reader has run the finit and is parked in its wait: only then can "not done" mean it waits
        awaitUntil(() -> finits.get() == 1 && t.getState() == Thread.State.WAITING);
        assertThat(reader).isNotDone();
        load.complete(null);
        assertThat(reader.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("ok 0\n");
    }

    @Test
    void readNow_replyReadAndSecondRequestSentBeforeTheCompletingThreadReturns_theSecondWakeUpRuns() throws Exception {
        session.write("finit /m.ko\n", ROOT);
        assertThatThrownBy(this::readNow).isInstanceOf(ErrnoException.class);
        AtomicInteger secondWoken = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        // the client acts inside the wake-up, on the thread that ends the load, before it returns
        assertThat(session.readable(() -> {
            seen.add(readNow());
            session.write("finit /m.ko\n", ROOT);
            try {
                readNow();
                seen.add("no EAGAIN");
            } catch (ErrnoException e) {
                seen.add(e.errno().name());
            }
            seen.add("readable=" + session.readable(secondWoken::incrementAndGet));
        })).isFalse();
        CompletableFuture.runAsync(() -> load.complete(null)).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("ok 0\n", "EAGAIN", "readable=false");
        assertThat(finits).hasValue(2); // the second request ran: its load is the one the client waits for
        CompletableFuture.runAsync(() -> secondLoad.complete(null)).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(secondWoken).hasValue(1);
        assertThat(readNow()).isEqualTo("ok 0\n");
    }

    @Test
    void flush_whileFinitWaits_returnsWithoutWaiting_andTheReplyAndWhatFollowsGoWithTheHandle() throws Exception {
        session.write("finit /m.ko\npolicy\n", ROOT);
        assertThatThrownBy(this::readNow).isInstanceOf(ErrnoException.class);
        // on another thread, so a flush that waited for the load fails here instead of hanging the build
        CompletableFuture.runAsync(session::flush).get(WAIT_S, TimeUnit.SECONDS);
        session.close();
        load.complete(null);
        assertThat(session.readNow(4096)).isEmpty();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT_S + " s");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void close_whileFinitWaits_dropsTheReplyAndTheWakeUp() {
        session.write("finit /m.ko\n", ROOT);
        assertThatThrownBy(this::readNow).isInstanceOf(ErrnoException.class);
        AtomicInteger woken = new AtomicInteger();
        session.readable(woken::incrementAndGet);
        session.close();
        load.complete(null);
        assertThat(woken).hasValue(0);
        assertThat(session.readNow(4096)).isEmpty();
    }
}
