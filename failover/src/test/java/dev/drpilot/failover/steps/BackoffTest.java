package dev.drpilot.failover.steps;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    @Test
    void doublesFromOneSecondUpToFive() {
        assertThat(Backoff.DEFAULT.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.DEFAULT.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Backoff.DEFAULT.delay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(Backoff.DEFAULT.delay(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(Backoff.DEFAULT.delay(40)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void countsTheRetriesThatFitInATimeout() {
        assertThat(Backoff.DEFAULT.retriesWithin(Duration.ofMillis(999))).isZero();
        assertThat(Backoff.DEFAULT.retriesWithin(Duration.ofSeconds(7))).isEqualTo(3); // 1 + 2 + 4
        assertThat(Backoff.DEFAULT.retriesWithin(Duration.ofSeconds(60))).isEqualTo(13); // 7 + 10 x 5 = 57
    }
}
