package dev.drpilot.agent.rejoin;

import java.time.Duration;

/**
 * Bounds on every step: a quick command ({@code pg_ctl status}, {@code pg_controldata}, an SQL query), reading the
 * discarded WAL, the rewind, the base backup (it copies the whole database), the server start, and the wait for
 * the started replica to stream.
 */
public record RejoinTimeouts(Duration command, Duration walDump, Duration rewind, Duration baseBackup, Duration start,
                             Duration streaming) {

    public static final RejoinTimeouts DEFAULTS = new RejoinTimeouts(Duration.ofSeconds(10), Duration.ofMinutes(2),
            Duration.ofMinutes(30), Duration.ofHours(4), Duration.ofMinutes(5), Duration.ofMinutes(2));

    public RejoinTimeouts {
        positive(command, "rejoin.timeouts.command");
        positive(walDump, "rejoin.timeouts.walDump");
        positive(rewind, "rejoin.timeouts.rewind");
        positive(baseBackup, "rejoin.timeouts.baseBackup");
        positive(start, "rejoin.timeouts.start");
        positive(streaming, "rejoin.timeouts.streaming");
    }

    private static void positive(Duration value, String key) {
        LocalNode.require(value != null && !value.isNegative() && !value.isZero() && value.toSeconds() >= 1,
                key + " must be at least 1 s, got " + value);
    }
}
