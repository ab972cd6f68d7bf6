package dev.drpilot.notify.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

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

    /**
     * The wait before retry {@code n}: between half and all of {@link #backoff(int)}, drawn anew each time ("equal
     * jitter": the clients a receiver's outage failed together do not all come back in the same second, and no wait is
     * shorter than half the backoff); or the receiver's own {@code Retry-After} when that is longer — it knows when it
     * will take requests again — but never beyond {@link #giveUpAfter()}.
     */
    public Duration waitBefore(int n, Optional<Duration> retryAfter, RandomGenerator random) {
        long full = backoff(n).toMillis();
        long half = full / 2;
        Duration jittered = Duration.ofMillis(half + random.nextLong(full - half + 1));
        if (retryAfter.isEmpty() || retryAfter.get().compareTo(jittered) <= 0) {
            return jittered;
        }
        return retryAfter.get().compareTo(giveUpAfter) > 0 ? giveUpAfter : retryAfter.get();
    }

    /**
     * How many retries fit into {@link #giveUpAfter()} with every wait at its full backoff: the m of "retry n of m".
     * Jittered waits are shorter, a receiver's Retry-After may be longer: the worker also gives up once the next wait
     * would end past the budget, so there are at most m retries and they end within {@link #giveUpAfter()}.
     */
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
