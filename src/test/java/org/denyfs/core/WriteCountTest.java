package org.denyfs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** One test per rule of REFERENCE section 1, named after the kernel function. */
class WriteCountTest {
    private final WriteCount count = new WriteCount();

    @Test
    void getWriteAccess_onIdleInode_countsOneWriter() {
        count.get();
        assertThat(count.value()).isEqualTo(1);
    }

    @Test
    void getWriteAccess_writersStack() {
        count.get();
        count.get();
        assertThat(count.value()).isEqualTo(2);
    }

    @Test
    void getWriteAccess_whileDenied_failsEtxtbsy() {
        count.deny();
        assertEtxtbsy(count::get, "get_write_access: 1 denier");
        assertThat(count.value()).isEqualTo(-1);
    }

    @Test
    void putWriteAccess_returnsToIdle() {
        count.get();
        count.put();
        assertThat(count.value()).isZero();
    }

    @Test
    void putWriteAccess_withoutWriter_isABugNotADrift() {
        assertThatThrownBy(count::put).isInstanceOf(IllegalStateException.class);
        assertThat(count.value()).isZero();
    }

    @Test
    void denyWriteAccess_whileOpenForWrite_failsEtxtbsy() {
        count.get();
        assertEtxtbsy(count::deny, "deny_write_access: 1 writer");
        assertThat(count.value()).isEqualTo(1);
    }

    @Test
    void denyWriteAccess_deniersStack() {
        count.deny();
        count.deny();
        count.deny();
        assertThat(count.value()).isEqualTo(-3);
    }

    @Test
    void allowWriteAccess_undoesOneDeny() {
        count.deny();
        count.deny();
        count.allow();
        assertThat(count.value()).isEqualTo(-1);
    }

    @Test
    void allowWriteAccess_withoutDenier_isABugNotADrift() {
        count.get();
        assertThatThrownBy(count::allow).isInstanceOf(IllegalStateException.class);
        assertThat(count.value()).isEqualTo(1);
    }

    @Test
    void exclusiveDenyWriteAccess_onIdleInode_takesMinusOne() {
        count.exclusiveDeny();
        assertThat(count.value()).isEqualTo(-1);
    }

    @Test
    void exclusiveDenyWriteAccess_whileOpenForWrite_failsEtxtbsy() {
        count.get();
        assertEtxtbsy(count::exclusiveDeny, "exclusive_deny_write_access: 1 writer");
    }

    @Test
    void exclusiveDenyWriteAccess_whileAnotherDenierHolds_failsEtxtbsy() {
        count.deny();
        assertEtxtbsy(count::exclusiveDeny, "exclusive_deny_write_access: 1 denier");
        assertThat(count.value()).isEqualTo(-1);
    }

    @Test
    void exclusiveDenyWriteAccess_ordinaryDeniersStackOnIt() {
        count.exclusiveDeny();
        count.deny(); // kernel_read_file's own deny nests inside finit_module's exclusive one
        assertThat(count.value()).isEqualTo(-2);
        count.allow();
        assertThat(count.value()).isEqualTo(-1);
    }

    @Test
    void exclusiveDenyWriteAccess_whileExclusivelyDenied_failsEtxtbsy() {
        count.exclusiveDeny();
        assertEtxtbsy(count::exclusiveDeny, "exclusive_deny_write_access: 1 denier");
        assertEtxtbsy(count::get, "get_write_access: 1 denier");
    }

    @Test
    void awaitChange_returnsAtOnceWhenAlreadyChanged() throws InterruptedException {
        count.get();
        assertThat(count.awaitChange(0, System.nanoTime())).isEqualTo(1);
    }

    @Test
    void awaitChange_wakesOnPut() throws Exception {
        count.get();
        var latch = new java.util.concurrent.CountDownLatch(1);
        Thread releaser = new Thread(() -> {
            try {
                latch.await();
            } catch (InterruptedException e) {
                return;
            }
            count.put();
        });
        releaser.start();
        latch.countDown();
        int after = count.awaitChange(1, System.nanoTime() + 30_000_000_000L);
        releaser.join();
        assertThat(after).isZero();
    }

    private static void assertEtxtbsy(Runnable op, String detail) {
        assertThatThrownBy(op::run)
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ETXTBSY);
                    assertThat(e.getMessage()).isEqualTo(detail);
                    assertThat(e.toString()).endsWith("Text file busy");
                });
    }

    @Test
    void awaitChange_pokedSinceTheGenerationItWasGiven_returnsTheUnchangedCountAtOnce() throws InterruptedException {
        WriteCount w = new WriteCount();
        w.get();
        long generation = w.generation();
        w.poke();
        // a deadline an hour away: only the poke can end this wait
        assertThat(w.awaitChange(1, generation, System.nanoTime() + 3_600_000_000_000L)).isEqualTo(1);
    }

    @Test
    void awaitChange_notPoked_waitsForTheDeadline_andThePokeOfAnotherGenerationDoesNotCount() throws InterruptedException {
        WriteCount w = new WriteCount();
        w.get();
        w.poke();
        long generation = w.generation();
        assertThat(w.awaitChange(1, generation, System.nanoTime())).isEqualTo(1);
        assertThat(w.generation()).isEqualTo(generation);
    }
}
