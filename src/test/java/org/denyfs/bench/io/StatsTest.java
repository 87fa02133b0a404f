package org.denyfs.bench.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddCountIsTheMiddleValueWhateverTheOrder() {
        assertThat(Stats.median(new double[] {9, 1, 5})).isEqualTo(5);
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void medianDoesNotReorderTheCallersArray() {
        double[] v = {3, 1, 2};
        Stats.median(v);
        assertThat(v).containsExactly(3, 1, 2);
    }

    @Test
    void medianOfNothingIsNaN() {
        assertThat(Stats.median(new double[0])).isNaN();
    }

    @Test
    void p99IsNearestRankLikeIobench() {
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1; // 1..100
        }
        assertThat(Stats.percentile(hundred, 99)).isEqualTo(99);
        double[] twoHundredOne = new double[201];
        for (int i = 0; i < 201; i++) {
            twoHundredOne[i] = i + 1;
        }
        // ceil(0.99 * 201) = 199
        assertThat(Stats.percentile(twoHundredOne, 99)).isEqualTo(199);
        assertThat(Stats.percentile(new double[] {7}, 99)).isEqualTo(7);
        assertThat(Stats.percentile(new double[] {5, 1, 3}, 100)).isEqualTo(5);
    }

    @Test
    void percentileOutsideRangeIsRefused() {
        assertThatThrownBy(() -> Stats.percentile(new double[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(new double[] {1}, 101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratioIsValueOverReferenceAndNaNWithoutAReference() {
        assertThat(Stats.ratio(50, 200)).isCloseTo(0.25, within(1e-12));
        assertThat(Stats.ratio(1, 0)).isNaN();
        assertThat(Stats.ratio(Double.NaN, 2)).isNaN();
        assertThat(Stats.ratio(2, Double.NaN)).isNaN();
    }
}
