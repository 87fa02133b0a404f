package org.denyfs.kernel.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HoldersTest {
    @Test
    void holders_ofAHoldTakenByAThread_nameItsProcess() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        int thread;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            thread = tasks.map(p -> Integer.parseInt(p.getFileName().toString())).filter(t -> t != self).findFirst().orElseThrow();
        }
        assertThat(Holders.processOf(thread)).isEqualTo(self);
        assertThat(Holders.processOf(self)).isEqualTo(self);
    }

    @Test
    void holders_ofAThreadThatHasGone_keepItsId() {
        assertThat(Holders.processOf(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }
}
