package dev.drpilot.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** How long a reader of an agent's lease waits before it may take the lease as expired. */
class LeaseExpiryTest {

    @ParameterizedTest(name = "ttl {0} ms, drift {1}, margin {2} ms: wait {3} ms")
    @CsvSource({
            // ttl,  drift, margin, wait (ms)
            "10000, 0.01,  1000,  11201",
            "10000, 0,     0,     10000",
            "3000,  0.05,  500,   3807",
    })
    void theReaderWaitsTheTtlStretchedByBothClocksDriftPlusTheMargin(long ttl, double drift, long margin, long wait) {
        LeaseExpiry rule = new LeaseExpiry(drift, Duration.ofMillis(margin));
        assertThat(rule.readerWait(Duration.ofMillis(ttl)).toMillis()).isEqualTo(wait);
    }

    @ParameterizedTest(name = "read at {0} ms, now {1} ms: expired {2}")
    @CsvSource({
            "0,     11200, false",
            "0,     11201, true",
            "5000,  16000, false",
            "5000,  16201, true",
    })
    void aLeaseExpiresOnlyOnceTheWaitHasPassedOnTheReadersOwnClock(long readAtMillis, long nowMillis, boolean expired) {
        assertThat(LeaseExpiry.DEFAULT.expired(Duration.ofMillis(readAtMillis).toNanos(), Duration.ofSeconds(10),
                Duration.ofMillis(nowMillis).toNanos())).isEqualTo(expired);
    }
}
