package dev.drpilot.ingest.health;

import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.events.NodeRole;

import java.util.Map;

/**
 * What one probe execution found: success; a failure with no answer from the target (the only
 * kind that counts against its liveness); or, from a PostgreSQL server, an error it answered with
 * ({@code answered}, with the SQLSTATE): the probe failed, but the server is alive.
 */
record ProbeOutcome(boolean ok, boolean answered, NodeRole role, String error, String sqlState, Map<String, String> details) {
    ProbeOutcome {
        details = Map.copyOf(details);
    }

    static ProbeOutcome ok(NodeRole role, Map<String, String> details) {
        return new ProbeOutcome(true, true, role, null, null, details);
    }

    static ProbeOutcome failed(String error) {
        return failed(error, Map.of());
    }

    /**
     * Other checks' failures count as failures whatever the target said: an application that
     * answers HTTP 503 is down for its users.
     */
    static ProbeOutcome failed(String error, Map<String, String> details) {
        return new ProbeOutcome(false, false, NodeRole.UNKNOWN, error, null, details);
    }

    static ProbeOutcome refused(PostgresRefusal refusal) {
        return new ProbeOutcome(false, true, NodeRole.UNKNOWN, refusal.message(), refusal.sqlState(), Map.of());
    }
}
