package org.denyfs.bench.herd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.denyfs.bench.harness.Cleanup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** denyfs-herd itself, with plain shell workers: release, logs, progress, and no worker outliving a timeout. */
class LaunchTest {
    private static final Path HERD = Path.of("target/native/denyfs-herd");

    @Test
    void herd_everyWorkerRunsOnceWithItsIndexAndLog(@TempDir Path logs) throws IOException {
        AtomicInteger done = new AtomicInteger();
        try (Cleanup cleanup = new Cleanup()) {
            Launch.Outcome o = Launch.run(HERD, List.of(), 5, List.of("sh", "-c", "echo worker $DENYFS_HERD_WORKER; exit $DENYFS_HERD_WORKER"),
                    Map.of(), logs, Duration.ofMinutes(1), cleanup, done::set);
            assertThat(o.workers()).extracting(Launch.Worker::exit).containsExactly(0, 1, 2, 3, 4);
            assertThat(done.get()).isEqualTo(5);
            assertThat(logs.resolve("worker-3.log")).hasContent("worker 3");
        }
    }

    @Test
    void herd_each_givesEveryWorkerItsOwnLineInPlaceOfEach(@TempDir Path logs) throws IOException {
        Path events = Files.write(logs.resolveSibling(logs.getFileName() + ".events"), List.of("pci:v1", "usb:v2", "hid:b3"));
        try (Cleanup cleanup = new Cleanup()) {
            Launch.Outcome o = Launch.run(HERD, List.of("--each", events.toString()), 3,
                    List.of("sh", "-c", "echo \"$1 $2\"", "sh", HerdBench.EACH, "-x"), Map.of(), logs, Duration.ofMinutes(1),
                    cleanup, n -> { });
            assertThat(o.workers()).extracting(Launch.Worker::exit).containsExactly(0, 0, 0);
            assertThat(logs.resolve("worker-0.log")).hasContent("pci:v1 -x");
            assertThat(logs.resolve("worker-2.log")).hasContent("hid:b3 -x");
            // fewer lines than workers: the launcher refuses before forking any
            assertThatThrownBy(() -> Launch.run(HERD, List.of("--each", events.toString()), 4, List.of("true"), Map.of(),
                    logs, Duration.ofMinutes(1), cleanup, n -> { })).hasMessageContaining("3 line(s), 4 workers need one each");
        } finally {
            Files.deleteIfExists(events);
        }
    }

    @Test
    void herd_pastItsTimeout_failsAndLeavesNoWorker(@TempDir Path logs) throws IOException {
        String marker = "denyfs-herd-test-" + ProcessHandle.current().pid();
        try (Cleanup cleanup = new Cleanup()) {
            assertThatThrownBy(() -> Launch.run(HERD, List.of(), 3, List.of("sh", "-c", "sleep 60; echo " + marker),
                    Map.of(), logs, Duration.ofMillis(500), cleanup, n -> { })).hasMessageContaining("did not finish within");
        }
        // SIGKILL is delivered asynchronously: wait (bounded) for the last worker to be gone
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(marker))
                && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(marker))).isEmpty();
        assertThat(Files.exists(logs.resolve("worker-0.log"))).isTrue();
    }
}
