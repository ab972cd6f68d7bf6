package dev.drpilot.notify.delivery;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {
    @Test
    void backoffDoublesUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5));
        assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.backoff(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoff(500)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void maxRetriesIsHowManyWaitsFitTheBudget() {
        // 1 + 2 + 4 + 8 = 15 s, then 10 s each: 15 + 28 * 10 = 295 <= 300 < 305
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5));
        assertThat(policy.maxRetries()).isEqualTo(32);
        assertThat(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO).maxRetries()).isZero();
    }

    @Test
    void theDefaultBudgetOutlastsMinutesOfDowntime() {
        RetryPolicy policy = RetryPolicy.defaults();
        long total = 0;
        for (int n = 1; n <= policy.maxRetries(); n++) {
            total += policy.backoff(n).toSeconds();
        }
        assertThat(Duration.ofSeconds(total)).isGreaterThan(Duration.ofMinutes(25)).isLessThanOrEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void rejectsANonsensePolicy() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void waitsAreJitteredBetweenHalfAndAllOfTheBackoff() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5));
        SplittableRandom random = new SplittableRandom(42);
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Duration wait = policy.waitBefore(4, Optional.empty(), random);
            assertThat(wait).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
            seen.add(wait);
        }
        assertThat(seen).as("waits drawn anew, not one fixed value").hasSizeGreaterThan(500);
    }

    @Test
    void aReceiversRetryAfterWinsWhenLongerUpToTheBudget() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5));
        SplittableRandom random = new SplittableRandom(7);
        assertThat(policy.waitBefore(1, Optional.of(Duration.ofSeconds(42)), random)).isEqualTo(Duration.ofSeconds(42));
        assertThat(policy.waitBefore(1, Optional.of(Duration.ofHours(3)), random)).as("capped at giveUpAfter").isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.waitBefore(5, Optional.of(Duration.ofMillis(10)), random)).as("a shorter one does not hurry the backoff")
                .isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
    }
}
