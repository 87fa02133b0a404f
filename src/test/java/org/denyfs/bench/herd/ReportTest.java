package org.denyfs.bench.herd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The herd's configuration, figures, table, CSV and chart, from made-up results. */
class ReportTest {
    private static Result result(String policy, int round, long wasted, int failedWorkers, double[] millis, long[] bytes) {
        return new Result(policy, round, 16, 80, Map.of("Virtual mem wasted bytes", wasted, "Peak bytes in flight",
                bytes.length == 0 ? 0 : java.util.Arrays.stream(bytes).max().getAsLong()),
                List.of(new Accounting.Call("finit_module", "cryptd.ko", "0", 1, 1000),
                        new Accounting.Call("finit_module", "cryptd.ko", "EEXIST", 3, 3000),
                        new Accounting.Call("finit_module", "aesni-intel.ko", "ENOENT", 2, 10)),
                6, failedWorkers, failedWorkers == 0 ? Map.of() : Map.of("aesni_intel: Text file busy", failedWorkers),
                1500, 1, 600, 90_000, 120_000, new Accounting.Timeline(millis, bytes, 0),
                List.of("cryptd", "aesni_intel"), java.util.Set.of("cryptd"),
                List.of(new Accounting.Traced(12.5, "finit_module", "cryptd.ko", "0"),
                        new Accounting.Traced(20, "finit_module", "cryptd.ko", "EEXIST")),
                failedWorkers == 0 ? Map.of() : Map.of("Text file busy", failedWorkers), 12);
    }

    private static Config config(int workers, Long initMillis, int rounds) {
        return new Config(workers, Config.ALL_POLICIES, null, null, null, false, rounds, initMillis,
                Config.Worker.LIBKMOD, Config.Kmod.KMOD30, Config.Compress.NONE, Path.of("/tmp/out"), "scripts/denyfs", null, null);
    }

    @Test
    void initTime_scalesWithWorkersPerCpu_unlessGiven() {
        assertThat(config(255, null, 1).effectiveInitMillis(2)).isEqualTo(1275);
        assertThat(config(1, null, 1).effectiveInitMillis(2)).isEqualTo(10);
        assertThat(config(255, 40L, 1).effectiveInitMillis(2)).isEqualTo(40);
    }

    @Test
    void config_samePolicyTwice_runsOnce() {
        assertThat(new Config(4, List.of("plain", "plain", "idempotent"), null, null, null, false, 1, null,
                Config.Worker.LIBKMOD, Config.Kmod.KMOD30, Config.Compress.NONE, Path.of("/tmp"), "d", null, null).policies())
                .containsExactly("plain", "idempotent");
    }

    @Test
    void config_refusesWhatCannotRun() {
        assertThatThrownBy(() -> config(0, null, 1)).hasMessageContaining("--workers");
        assertThatThrownBy(() -> new Config(4, List.of("fast"), null, null, null, false, 1, null, Config.Worker.LIBKMOD,
                Config.Kmod.KMOD30, Config.Compress.NONE, Path.of("/tmp"), "d", null, null)).hasMessageContaining("--policy");
    }

    @Test
    void figures_finitCallsByResult_otherIsWhatIsNeitherOkEexistNorEtxtbsy() {
        Result r = result("plain", 1, 100, 0, new double[0], new long[0]);
        assertThat(Figure.FINIT.of(r)).isEqualTo(6);
        assertThat(Figure.FINIT_OK.of(r)).isEqualTo(1);
        assertThat(Figure.FINIT_EEXIST.of(r)).isEqualTo(3);
        assertThat(Figure.FINIT_ETXTBSY.of(r)).isZero();
        assertThat(Figure.FINIT_OTHER.of(r)).isEqualTo(2);
        assertThat(Figure.FINIT_CPU_PER_CALL.of(r)).isEqualTo(4010.0 / 6);
        assertThat(Figure.CPU_PER_FINIT.of(r)).isEqualTo(100_000.0);
        assertThat(Figure.PEAK_RSS.format(120_000)).isEqualTo("117.2 MiB");
        assertThat(Figure.WASTED.format(1_949_006_968L)).isEqualTo("1,949,006,968");
    }

    @Test
    void median_acrossRoundsOfOnePolicy() {
        List<Result> rs = List.of(result("plain", 1, 10, 0, new double[0], new long[0]),
                result("plain", 2, 30, 0, new double[0], new long[0]), result("plain", 3, 20, 0, new double[0], new long[0]),
                result("idempotent", 1, 0, 0, new double[0], new long[0]));
        assertThat(Table.median(rs, "plain", Figure.WASTED)).isEqualTo(20);
        assertThat(Table.median(rs, "idempotent", Figure.WASTED)).isZero();
        assertThat(Table.median(rs, "exclusive", Figure.WASTED)).isNaN();
    }

    @Test
    void herdCsv_oneRowPerHerd_everyFigureAColumn() {
        String csv = OutputFiles.herdCsv(List.of(result("exclusive", 1, 474_688, 3, new double[0], new long[0])));
        String[] lines = csv.split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0].split(",")).hasSize(4 + Figure.values().length).startsWith("policy", "round", "workers",
                "init_ms", "wasted_bytes");
        assertThat(lines[1]).startsWith("exclusive,1,16,80,474688,");
        assertThat(OutputFiles.failuresCsv(List.of(result("exclusive", 1, 0, 3, new double[0], new long[0]))))
                .isEqualTo("policy,round,module,message,workers\nexclusive,1,aesni_intel,\"Text file busy\",3\n");
    }

    @Test
    void chart_onePanelPerPolicy_sharedAxes_peakKeptWhenEventsShareAPixel() {
        double[] t = {100.0, 100.1, 100.2, 100.3};
        long[] b = {1 << 20, 5 << 20, 1 << 20, 0};
        String svg = InflightChart.svg(List.of(result("plain", 1, 1, 0, t, b), result("idempotent", 1, 0, 0,
                new double[] {100.0, 100.5}, new long[] {1 << 20, 0})), "16 workers");
        assertThat(svg).startsWith("<svg").contains(">plain<", ">idempotent<", "5 MiB").endsWith("</svg>\n");
        String path = InflightChart.path(new Accounting.Timeline(t, b, 0), 0, 260, 1000, 5 << 20);
        assertThat(path).contains("V0.0"); // the 5 MiB peak reaches the top though all four events share a column
        String late = InflightChart.path(new Accounting.Timeline(new double[] {2000}, new long[] {1}, 0), 0, 260, 1000, 1);
        assertThat(late).doesNotContain("H" + (2 * 360)); // an event after the axis's end stays on the panel's edge
        assertThat(InflightChart.niceCeiling(3.2)).isEqualTo(4);
        assertThat(InflightChart.niceCeiling(23.7)).isEqualTo(24);
        assertThat(InflightChart.niceCeiling(0.45)).isEqualTo(0.5);
        assertThat(InflightChart.niceCeiling(11)).isEqualTo(12);
    }

    @Test
    void figures_missingModulesAndLastLive_fromTheTraceAndProcModules() {
        Result r = result("exclusive", 1, 0, 1, new double[0], new long[0]);
        assertThat(r.missing()).containsExactly("aesni_intel");
        assertThat(Figure.REQUESTED.of(r)).isEqualTo(2);
        assertThat(Figure.LIVE.of(r)).isEqualTo(1);
        assertThat(Figure.MISSING.of(r)).isEqualTo(1);
        assertThat(Figure.LAST_LIVE.of(r)).as("never, while a requested module is missing").isNaN();
        assertThat(r.liveAt()).containsExactly(Map.entry("cryptd", 12.5));
    }

    @Test
    void charts_resultsAndLive_onePanelPerPolicy_countsInTheirFigures() {
        List<Result> rs = List.of(result("exclusive-read", 1, 0, 0, new double[0], new long[0]),
                result("exclusive", 1, 0, 1, new double[0], new long[0]));
        String results = ResultsChart.svg(rs, "coldplug");
        assertThat(results).startsWith("<svg").contains(">exclusive-read<", ">exclusive<", "0: 1, EEXIST: 1, ETXTBSY: 0")
                .endsWith("</svg>\n");
        assertThat(ResultsChart.rises(rs.get(0), "EEXIST")).containsExactly(20.0);
        String live = LiveChart.svg(rs, "coldplug");
        assertThat(live).contains("1/2 live at the end, 1 missing", "modules requested");
        assertThat(LiveChart.rises(rs.get(0))).containsExactly(12.5);
    }

    @Test
    void table_fourPolicyColumnsInTheSeedsOrder_failuresCountedInWorkers() {
        Config cfg = config(16, 80L, 1);
        Workload w = new Workload(Scenario.cpu(), List.of("cpu:x"), new Tree.ModuleSet(List.of("cryptd", "aesni_intel"), 2,
                List.of(1L, 1L)), 16);
        List<Result> rs = Config.ALL_POLICIES.stream().map(p -> result(p, 1, 0, p.equals("exclusive") ? 3 : 0,
                new double[0], new long[0])).toList();
        String table = Table.format(new HerdBench.Report(cfg, new Tree(Path.of("/t"), "r", "a tree"), "cpu:x", w.requested(),
                80, 2, "w", rs, Map.of(), w));
        assertThat(table.lines().skip(1).findFirst().orElseThrow().trim().split("\\s+"))
                .containsExactly("plain", "exclusive-read", "exclusive", "idempotent");
        assertThat(table).contains("  exclusive: 3 of 16 workers failed (Text file busy: 3)")
                .containsPattern("aesni_intel: Text file busy +x 3")
                .contains("exclusive: 1 of 2: aesni_intel");
    }
}
