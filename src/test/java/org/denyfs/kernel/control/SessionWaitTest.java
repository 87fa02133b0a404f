package org.denyfs.kernel.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
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
    /** The load every "finit" joins: completed by the test, as the first caller's load would be. */
    private final CompletableFuture<Void> load = new CompletableFuture<>();
    private final ModuleCalls waiting = new ModuleCalls() {
        @Override
        public void finit(Caller caller, String path, int flags, String params) {
            throw new AssertionError("the blocking call is not used");
        }

        @Override
        public CompletableFuture<Void> finitLater(Caller caller, String path, int flags, String params) {
            return load;
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
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(
                () -> new String(session.read(4096), StandardCharsets.UTF_8));
        assertThat(reader).isNotDone(); // it cannot finish: the load is not over
        load.complete(null);
        assertThat(reader.get()).isEqualTo("ok 0\n");
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
