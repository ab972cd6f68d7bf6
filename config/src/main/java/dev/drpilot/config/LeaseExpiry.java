package dev.drpilot.config;

import java.time.Duration;

/**
 * When a reader of a node agent's lease may take it as expired: the rule the failover actuator will apply before it
 * promotes past an unreachable primary that has an agent. It lives here, beside the agent's settings, so that the
 * actuator and the agent share it without depending on each other, and it is a pure function of durations so that
 * it is tested as a table.
 *
 * <p>The agent stops its node taking writes by {@code ttl} after the send of its newest acknowledged renewal,
 * measured on its own monotonic clock. A reader that read that renewal at some instant read it after it was sent; it
 * waits, on its own monotonic clock, from that read. Each clock may run slow or fast by at most {@code maxDriftRate}
 * against real time, so the agent's {@code ttl} is at most {@code ttl × (1 + rate)} of real time and the reader's wait
 * of {@code w} is at least {@code w / (1 + rate)}: waiting {@code ttl × (1 + rate)² + margin} covers both, and the
 * margin covers scheduling (the reader's loop and the agent's fence thread both run late by up to it).
 *
 * @param maxDriftRate the largest rate by which a monotonic clock runs fast or slow against real time (0.01: 1 %)
 * @param margin       a fixed allowance on top
 */
public record LeaseExpiry(double maxDriftRate, Duration margin) {
    /** CLOCK_MONOTONIC is slewed by NTP by at most 500 ppm; 1 % leaves room for a badly behaved virtual clock. */
    public static final LeaseExpiry DEFAULT = new LeaseExpiry(0.01, Duration.ofSeconds(1));

    public LeaseExpiry {
        if (maxDriftRate < 0 || maxDriftRate >= 1) {
            throw new IllegalArgumentException("maxDriftRate must be in [0, 1): " + maxDriftRate);
        }
        if (margin.isNegative()) {
            throw new IllegalArgumentException("margin must not be negative: " + margin);
        }
    }

    /** How long a reader waits, counted from its own read of the newest renewal, before the lease counts as expired. */
    public Duration readerWait(Duration ttl) {
        double factor = (1 + maxDriftRate) * (1 + maxDriftRate);
        return Duration.ofNanos((long) Math.ceil(ttl.toNanos() * factor)).plus(margin);
    }

    /**
     * Whether a lease read at {@code readAtNanos} (the reader's {@code System.nanoTime()} when it read the newest
     * HOLDING record) with this {@code ttl} has expired at {@code nowNanos} on the same clock.
     */
    public boolean expired(long readAtNanos, Duration ttl, long nowNanos) {
        return nowNanos - readAtNanos >= readerWait(ttl).toNanos();
    }
}
