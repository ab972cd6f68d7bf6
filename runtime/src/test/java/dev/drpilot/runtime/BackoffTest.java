package dev.drpilot.runtime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    @ParameterizedTest(name = "from {0} ms up to {1} ms, retry {2} waits {3} ms")
    @CsvSource({
            // initial, max, retry, wait
            "2000, 30000,  1,  2000",
            "2000, 30000,  2,  4000",
            "2000, 30000,  4, 16000",
            "2000, 30000,  5, 30000",
            "2000, 30000,  6, 30000",
            "2000, 30000, 2147483647, 30000",
            " 200,   200,  1,   200",
            " 200,   200,  9,   200",
    })
    void doublesUpToItsMax(long initial, long max, int retry, long wait) {
        assertThat(Backoff.exponential(Duration.ofMillis(initial), Duration.ofMillis(max)).before(retry)).isEqualTo(Duration.ofMillis(wait));
    }

    @ParameterizedTest(name = "initial {0} ms, max {1} ms is refused")
    @CsvSource({"0, 100", "-1, 100", "200, 100"})
    void refusesABackoffThatDoesNotWaitOrShrinks(long initial, long max) {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(initial), Duration.ofMillis(max)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "retry {0} is refused")
    @CsvSource({"0", "-3"})
    void retriesCountFromOne(int retry) {
        assertThatThrownBy(() -> Backoff.constant(Duration.ofMillis(10)).before(retry)).isInstanceOf(IllegalArgumentException.class);
    }
}
