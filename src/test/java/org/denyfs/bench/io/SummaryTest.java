package org.denyfs.bench.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    private static RunResult seq(String target, int run, double mib) {
        return new RunResult(target, Workload.SEQWRITE, run, 1, 8, 1 << 20, 0.01, mib, mib * 8, 1000, 2000);
    }

    private static RunResult meta(String target, int run, long medianNs, long p99Ns) {
        return new RunResult(target, Workload.META_OPEN_RO, run, 1, 100, 0, 0.01, 0, 1e9 / medianNs, medianNs, p99Ns);
    }

    private static final List<RunResult> RESULTS = List.of(
            seq("native", 1, 1000), seq("native", 2, 3000), seq("native", 3, 2000),
            seq("bindfs", 1, 500), seq("bindfs", 2, 400), seq("bindfs", 3, 600),
            seq("denyfs", 1, 450), seq("denyfs", 2, 550), seq("denyfs", 3, 500),
            meta("native", 1, 4000, 10000), meta("bindfs", 1, 40000, 100000), meta("denyfs", 1, 50000, 300000));

    @Test
    void eachFigureIsTheMedianAcrossRuns() {
        Summary s = Summary.of(RESULTS);
        assertThat(s.value("native", Workload.SEQWRITE, Metric.MIB_PER_S)).isEqualTo(2000);
        assertThat(s.value("bindfs", Workload.SEQWRITE, Metric.MIB_PER_S)).isEqualTo(500);
        assertThat(s.value("denyfs", Workload.META_OPEN_RO, Metric.P99_US)).isEqualTo(300);
        assertThat(s.value("denyfs", Workload.SEQREAD_COLD, Metric.MIB_PER_S)).isNaN();
        assertThat(s.cells()).hasSize(6);
        assertThat(s.cells().get(0).runs()).isEqualTo(3);
    }

    @Test
    void ratiosAreAgainstNativeAndAgainstBindfs() {
        assertThat(Summary.ratioPairs(List.of("native", "bindfs", "denyfs"))).extracting(Summary.RatioPair::label)
                .containsExactly("bindfs/native", "denyfs/native", "denyfs/bindfs");
        assertThat(Summary.ratioPairs(List.of("native", "bindfs"))).extracting(Summary.RatioPair::label)
                .containsExactly("bindfs/native");
        assertThat(Summary.ratioPairs(List.of("bindfs", "denyfs"))).extracting(Summary.RatioPair::label)
                .containsExactly("denyfs/bindfs");
        Summary s = Summary.of(RESULTS);
        assertThat(s.ratio(new Summary.RatioPair("denyfs", "bindfs"), Workload.SEQWRITE, Metric.MIB_PER_S))
                .isEqualTo(1.0);
        assertThat(s.ratio(new Summary.RatioPair("denyfs", "bindfs"), Workload.META_OPEN_RO, Metric.MEDIAN_US))
                .isEqualTo(1.25);
    }

    @Test
    void tableShowsAbsoluteFiguresThenRatiosAlignedInColumns() {
        String table = TableFormatter.format(Summary.of(RESULTS), List.of("native", "bindfs", "denyfs"),
                List.of(Workload.SEQWRITE, Workload.META_OPEN_RO));
        List<String> lines = table.lines().toList();
        assertThat(lines.get(0).split("\\s+")).containsExactly("workload", "metric", "native", "bindfs", "denyfs",
                "bindfs/native", "denyfs/native", "denyfs/bindfs");
        assertThat(lines.get(1).split("\\s+")).containsExactly("seqwrite", "MiB/s", "(hi)", "2000", "500.0", "500.0",
                "0.25x", "0.25x", "1.00x");
        assertThat(lines.get(3).split("\\s+")).containsExactly("meta-open-ro", "median", "us", "(lo)", "4.00",
                "40.00", "50.00", "10.00x", "12.50x", "1.25x");
        // Right-aligned figures: every data row is as wide as the header.
        assertThat(lines.subList(0, 5)).allSatisfy(l -> assertThat(l.length()).isEqualTo(lines.get(0).length()));
        assertThat(table).contains("higher is better");
    }

    @Test
    void missingFiguresShowAsDashes() {
        String table = TableFormatter.format(Summary.of(RESULTS), List.of("native", "bindfs", "denyfs"),
                List.of(Workload.SEQREAD_COLD));
        assertThat(table.lines().skip(1).findFirst().orElseThrow().split("\\s+"))
                .containsExactly("seqread-cold", "MiB/s", "(hi)", "-", "-", "-", "-", "-", "-");
    }

    @Test
    void summaryCsvHasOneRowPerTargetAndWorkload() {
        String csv = ReportFiles.summaryCsv(Summary.of(RESULTS));
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo("target,workload,runs,mib_per_s,ops_per_s,median_us,p99_us,seconds");
        assertThat(lines).hasSize(7);
        assertThat(lines).contains("native,seqwrite,3,2000.000,16000.000,1.000,2.000,0.010");
    }

    @Test
    void numbersAreFormattedForTheirSize() {
        assertThat(TableFormatter.number(123456.7)).isEqualTo("123457");
        assertThat(TableFormatter.number(123.45)).isEqualTo("123.5");
        assertThat(TableFormatter.number(1.234)).isEqualTo("1.23");
        assertThat(TableFormatter.number(Double.NaN)).isEqualTo("-");
        assertThat(TableFormatter.ratio(0.905)).isEqualTo("0.91x");
    }
}
