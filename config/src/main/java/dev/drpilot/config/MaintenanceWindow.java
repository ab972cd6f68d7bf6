package dev.drpilot.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Planned work: from each run of {@code schedule} (cron, UTC) for {@code duration}, the alerts {@code match} names are
 * silenced, and when {@code pauseFailover} names a cluster its automatic failover is paused as {@code drpilot failover
 * pause} pauses it.
 */
public record MaintenanceWindow(String name, Schedule schedule, Duration duration, Matchers match, Optional<String> pauseFailover) {
    // Windows are checked per alert: a bound on the runs looked at keeps a "* * * * *" schedule with a long duration cheap.
    private static final int MOST_RUNS = 10_080;

    /** When the window open at {@code now} closes (the latest end of the runs it overlaps), or empty when none is open. */
    public Optional<Instant> openUntil(Instant now) {
        Instant start = schedule.next(now.minus(duration));
        Instant until = null;
        for (int runs = 0; !start.isAfter(now) && runs < MOST_RUNS; runs++) {
            until = start.plus(duration);
            start = schedule.next(start);
        }
        return Optional.ofNullable(until);
    }

    public boolean isOpen(Instant now) {
        return openUntil(now).isPresent();
    }

    /** True while this window is open and pauses failover of {@code cluster}. */
    public boolean pausesFailover(String cluster, Instant now) {
        return pauseFailover.filter(cluster::equals).isPresent() && isOpen(now);
    }
}
