package dev.drpilot.agent.rejoin;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Before a running server is stopped to be rejoined: is the new primary really one, and ahead of this node? A rejoin
 * command read long after it was sent (the host was away) may name a primary that has since been switched back: then the
 * server running here is the primary, and stopping it would be an outage.
 */
public final class SourceCheck {
    private SourceCheck() {
    }

    /**
     * Empty when {@code source} answers, is not in recovery, and writes on a timeline newer than {@code localTimeline} (when
     * that is known); otherwise why it is no primary to rejoin onto.
     */
    public static Optional<String> notAPrimaryToFollow(SourceServer source, OptionalLong localTimeline, Duration timeout) {
        NewPrimary primary = new NewPrimary(source, timeout);
        try {
            if (primary.inRecovery()) {
                return Optional.of(source + " is in recovery: it is no primary");
            }
            int timeline = primary.timeline();
            if (localTimeline.isPresent() && timeline <= localTimeline.getAsLong()) {
                return Optional.of(source + " writes on timeline " + timeline + ", this node is on timeline " + localTimeline.getAsLong()
                        + ": it is not behind it");
            }
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(source + " does not answer as a primary: " + e.getMessage());
        }
    }
}
