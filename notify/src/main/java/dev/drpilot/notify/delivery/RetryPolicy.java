package dev.drpilot.notify.delivery;

import java.time.Duration;

/**
 * Exponential backoff for retriable delivery failures, capped per wait, bounded in total. The
 * total bound is long (minutes, not seconds) on purpose: a receiver that is down for a while
 * must get its backlog once it is back, not have it recorded as failed.
 *
 * @param initialBackoff wait before the first retry; doubles for each further retry
 * @param maxBackoff     no wait is longer than this
 * @param giveUpAfter    the waits of all retries add up to at most this; then the failure is final
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter) {
    public RetryPolicy {
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0 || giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("retry policy needs 0 < initialBackoff <= maxBackoff and giveUpAfter >= 0");
        }
    }

    /** 1 s, doubling up to 1 min, for at most 30 min. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(30));
    }

    /** The wait before retry {@code n} (1-based). */
    public Duration backoff(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("retries count from 1");
        }
        long millis = initialBackoff.toMillis();
        for (int i = 1; i < n && millis < maxBackoff.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** How many retries fit into {@link #giveUpAfter()}: the m of "retry n of m". */
    public int maxRetries() {
        long budget = giveUpAfter.toMillis();
        long spent = 0;
        int retries = 0;
        while (spent + backoff(retries + 1).toMillis() <= budget) {
            spent += backoff(retries + 1).toMillis();
            retries++;
        }
        return retries;
    }
}
