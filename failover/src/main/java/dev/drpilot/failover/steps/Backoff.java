package dev.drpilot.failover.steps;

import java.time.Duration;

/**
 * The pause before retry {@code n}: doubling from {@code initial}, capped at {@code max}
 * (1 s, 2 s, 4 s, 5 s, 5 s ... by default), so a slow cloud API is polled briskly at first and
 * gently later.
 */
record Backoff(Duration initial, Duration max) {
    static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));

    Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** The pause before retry {@code retry} (1 for the first retry). */
    Duration delay(int retry) {
        Duration delay = initial;
        for (int i = 1; i < retry && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** How many retries fit in {@code budget}: the "m" of "retry n of m" in the logs. */
    int retriesWithin(Duration budget) {
        int retries = 0;
        Duration spent = Duration.ZERO;
        while (true) {
            Duration next = spent.plus(delay(retries + 1));
            if (next.compareTo(budget) > 0) {
                return retries;
            }
            spent = next;
            retries++;
        }
    }
}
