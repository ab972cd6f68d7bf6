package dev.drpilot.notify.delivery;

import org.junit.jupiter.api.Test;

import java.time.Duration;

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
}
