package org.denyfs.kernel.passthrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.junit.jupiter.api.Test;

class HandlesTest {
    private static Handle handle() {
        return new Handle() {
            public int read(long buf, long size, long offset) { return 0; }
            public int write(long buf, long size, long offset) { return 0; }
            public void release() {}
        };
    }

    private static void assertEbadf(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EBADF));
    }

    @Test
    void get_ofAnAddedHandle_returnsIt_untilRemoved() {
        Handles t = new Handles();
        Handle h = handle();
        long fh = t.add(h);
        assertThat(t.get(fh)).isSameAs(h);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.remove(fh)).isSameAs(h);
        assertThat(t.size()).isZero();
        assertEbadf(() -> t.get(fh));
        assertEbadf(() -> t.remove(fh));
    }

    @Test
    void get_ofAStaleHandle_afterItsSlotIsReused_failsEbadf() {
        Handles t = new Handles();
        long old = t.add(handle());
        t.remove(old);
        Handle h = handle();
        long reused = t.add(h);
        assertThat((int) reused).isEqualTo((int) old);      // same slot
        assertThat(reused).isNotEqualTo(old);               // new generation
        assertEbadf(() -> t.get(old));
        assertThat(t.get(reused)).isSameAs(h);
    }

    @Test
    void add_beyondTheInitialTable_keepsEveryHandle() {
        Handles t = new Handles();
        List<Long> fhs = new ArrayList<>();
        List<Handle> hs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Handle h = handle();
            hs.add(h);
            fhs.add(t.add(h));
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(t.get(fhs.get(i))).isSameAs(hs.get(i));
        }
        assertEbadf(() -> t.get(0));
        assertEbadf(() -> t.get(-1));
    }
}
