package dev.drpilot.detector.rules;

import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;

/** What a PostgreSQL health observation says about a node's claim to be the primary. */
final class Claims {
    private Claims() {
    }

    /**
     * Answers as a primary and takes writes. A primary fenced read-only by a failover
     * ({@code details.readOnly = true}) answers as primary but is no rival to the new one.
     */
    static boolean writablePrimary(HealthObservation observation) {
        return observation.getOk() && observation.getRole() == NodeRole.PRIMARY
                && !"true".equals(observation.getDetails().get("readOnly"));
    }
}
