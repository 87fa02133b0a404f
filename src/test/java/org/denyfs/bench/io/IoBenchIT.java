package org.denyfs.bench.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.denyfs.bench.harness.CsvRows;
import org.denyfs.bench.harness.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole benchmark, tiny: real iobench, a real bindfs mount, files on disk, nothing left mounted. */
class IoBenchIT {
    @Test
    void measuresEveryWorkloadOnNativeAndBindfsAndCleansUp(@TempDir Path out) throws Exception {
        requireFuseAndBindfs();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = new CommandLine(new IoBenchCommand());
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));

        int exit = cl.execute("--size", "8m", "--files", "50", "--runs", "1", "--rand-ops", "2000",
                "--against", "native,bindfs", "--out", out.toString());

        assertThat(exit).as("exit status; stderr:%n%s%nstdout:%n%s", stderr, stdout).isZero();
        List<Workload> expected = new ArrayList<>(Arrays.asList(Workload.values()));
        if (!Files.isWritable(Path.of("/proc/sys/vm/drop_caches"))) {
            expected.remove(Workload.SEQREAD_COLD); // not root: skipped, and said so
            assertThat(stdout.toString()).contains("skipped seqread-cold");
        }
        Map<String, Map<String, String>> rows = csvRows(out.resolve(ReportFiles.SUMMARY_CSV));
        assertThat(rows).hasSize(2 * expected.size());
        for (String target : List.of("native", "bindfs")) {
            for (Workload w : expected) {
                Map<String, String> row = rows.get(target + "/" + w.id());
                assertThat(row).as("%s %s", target, w.id()).isNotNull();
                assertThat(Double.parseDouble(row.get("ops_per_s"))).as("%s %s ops/s", target, w.id()).isPositive();
                assertThat(Double.parseDouble(row.get("median_us"))).as("%s %s median", target, w.id()).isPositive();
                assertThat(Double.parseDouble(row.get("p99_us"))).as("%s %s p99", target, w.id()).isPositive();
                if (w.metrics().contains(Metric.MIB_PER_S)) {
                    assertThat(Double.parseDouble(row.get("mib_per_s"))).as("%s %s MiB/s", target, w.id()).isPositive();
                }
            }
        }
        assertThat(stdout.toString()).contains("bindfs/native");
        assertThat(out.resolve(ReportFiles.RESULTS_JSON)).content().contains("\"summary\"", "\"ratios\"");
        assertThat(out.resolve(ReportFiles.RUNS_CSV)).exists();
        assertThat(out.resolve("backing")).doesNotExist();
        assertNothingLeftMounted(out, stderr.toString());
    }

    /** The bindfs mount's source is the backing directory under {@code out}; its mount point is in the progress. */
    private static void assertNothingLeftMounted(Path out, String progress) throws Exception {
        List<String> mounts = Files.readAllLines(Path.of("/proc/mounts"));
        assertThat(mounts).noneMatch(l -> l.contains(out.toString()));
        String bindfsLine = progress.lines().filter(l -> l.startsWith("target bindfs: ")).findFirst().orElseThrow();
        String mountPoint = bindfsLine.substring(bindfsLine.lastIndexOf(' ') + 1);
        assertThat(mounts).noneMatch(l -> l.contains(" " + mountPoint + " "));
        assertThat(Path.of(mountPoint)).doesNotExist();
    }

    private static Map<String, Map<String, String>> csvRows(Path csv) throws Exception {
        return CsvRows.read(csv, row -> row.get("target") + "/" + row.get("workload"));
    }

    /** Under CI missing FUSE or bindfs is a failure; elsewhere the test skips itself. */
    private static void requireFuseAndBindfs() {
        boolean ok = Files.exists(Path.of("/dev/fuse")) && Executables.onPath("bindfs").isPresent();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(ok).as("CI=true needs /dev/fuse and bindfs (apt-get install bindfs)").isTrue();
        } else {
            assumeTrue(ok, "needs /dev/fuse and bindfs (apt-get install bindfs)");
        }
    }
}
