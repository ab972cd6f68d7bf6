package dev.drpilot.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a loop waits before its n-th retry: doubling from {@code initial}, never more than {@code max}.
 * {@code initial == max} waits the same every time.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("a backoff starts above zero, not at " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("a backoff's max " + max + " is below its initial " + initial);
        }
    }

    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max);
    }

    public static Backoff constant(Duration wait) {
        return new Backoff(wait, wait);
    }

    /** @param retry 1 for the first retry */
    public Duration before(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, not " + retry);
        }
        Duration wait = initial;
        // Doubling stops at max, so a long streak of retries cannot overflow.
        for (int i = 1; i < retry && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
