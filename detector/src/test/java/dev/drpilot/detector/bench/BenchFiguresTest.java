package dev.drpilot.detector.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmark's arithmetic and command line (the benchmark itself runs with bench/detector). */
class BenchFiguresTest {
    @Test
    void percentilesAreNearestRank() {
        long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
        assertThat(AlertLatencies.percentile(sorted, 50)).isEqualTo(50);
        assertThat(AlertLatencies.percentile(sorted, 90)).isEqualTo(90);
        assertThat(AlertLatencies.percentile(sorted, 99)).isEqualTo(100);
        assertThat(AlertLatencies.percentile(new long[0], 99)).isZero();
        assertThat(AlertLatencies.median(new double[] {5, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void alertsStillMissingRankAboveEveryArrivedOne() {
        AlertLatencies.Stats stats = new AlertLatencies.Stats(98, 2, 120, 200, AlertLatencies.LATE, AlertLatencies.LATE, 60, 150);
        assertThat(stats.visible()).isEqualTo("120/200/late/late");
    }

    @Test
    void readsRatesComponentsAndDurations() {
        BenchOptions options = BenchOptions.parse(new String[] {"--rates", "5000,max", "--components", "1k,100000", "--seconds", "5"});
        assertThat(options.rates()).containsExactly(5_000, BenchOptions.MAX);
        assertThat(options.components()).isEqualTo(List.of(1_000, 100_000));
        assertThat(options.seconds()).isEqualTo(5);
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--rates", "fast"})).hasMessageContaining("--rates");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--seconds", "0"})).hasMessageContaining("more than 0");
    }
}
