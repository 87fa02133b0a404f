package org.denyfs.bench.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResultLineTest {
    static final String LINE = "iobench workload=meta-create ops=2000 bytes=0 seconds=0.040000 mib_per_s=0.000"
            + " ops_per_s=50000.0 median_ns=15000 p99_ns=120000\n";

    @Test
    void parsesEveryFieldOfTheIobenchLine() {
        RunResult r = ResultLine.parse(LINE, "bindfs", Workload.META_CREATE, 2, 3);
        assertThat(r.target()).isEqualTo("bindfs");
        assertThat(r.workload()).isEqualTo(Workload.META_CREATE);
        assertThat(r.run()).isEqualTo(2);
        assertThat(r.position()).isEqualTo(3);
        assertThat(r.ops()).isEqualTo(2000);
        assertThat(r.bytes()).isZero();
        assertThat(r.seconds()).isEqualTo(0.04);
        assertThat(r.opsPerSecond()).isEqualTo(50000.0);
        assertThat(r.medianNanos()).isEqualTo(15000);
        assertThat(r.p99Nanos()).isEqualTo(120000);
        assertThat(Metric.MEDIAN_US.of(r)).isEqualTo(15.0);
        assertThat(Metric.P99_US.of(r)).isEqualTo(120.0);
    }

    @Test
    void findsTheLineAmongOtherOutputAndIgnoresUnknownFields() {
        String out = "some warning\n" + LINE.strip() + " future_field=1\n";
        assertThat(ResultLine.parse(out, "native", Workload.META_CREATE, 1, 1).ops()).isEqualTo(2000);
    }

    @Test
    void missingLineOrFieldOrGarbageIsAnError() {
        assertThatThrownBy(() -> ResultLine.parse("nothing here", "native", Workload.SEQWRITE, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no 'iobench");
        assertThatThrownBy(() -> ResultLine.parse(LINE.replace(" p99_ns=120000", ""), "native",
                Workload.SEQWRITE, 1, 1)).hasMessageContaining("p99_ns");
        assertThatThrownBy(() -> ResultLine.parse(LINE.replace("ops=2000", "ops=many"), "native",
                Workload.SEQWRITE, 1, 1)).hasMessageContaining("malformed");
    }
}
