package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.denyfs.core.Caller;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.junit.jupiter.api.Test;

/** A FINIT ioctl's ticket: claimed once, and only by the process it was issued to. */
class FinitTicketsTest {
    private final FinitTickets tickets = new FinitTickets();
    private final CompletableFuture<Void> call = new CompletableFuture<>();

    @Test
    void claim_byTheCaller_returnsItsCall_once() {
        Caller kmod = new Caller(4242, 0, 0);
        int t = tickets.issue(kmod, call);
        assertThat(t).isPositive();
        assertThat(tickets.claim(kmod, t)).isSameAs(call);
        assertThat(tickets.outstanding()).isZero();
        assertThatThrownBy(() -> tickets.claim(kmod, t)).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void claim_byAnotherProcess_einval_andTheTicketStays() {
        int t = tickets.issue(new Caller(4242, 0, 0), call);
        assertThatThrownBy(() -> tickets.claim(new Caller(4243, 0, 0), t)).isInstanceOf(ErrnoException.class)
                .hasMessageContaining("no finit_module ticket " + t);
        assertThat(tickets.outstanding()).isEqualTo(1);
    }

    @Test
    void issue_givesDistinctTickets() {
        Caller kmod = new Caller(4242, 0, 0);
        assertThat(tickets.issue(kmod, call)).isNotEqualTo(tickets.issue(kmod, call));
    }
}
