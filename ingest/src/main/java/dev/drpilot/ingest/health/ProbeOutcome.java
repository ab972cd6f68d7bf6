package dev.drpilot.ingest.health;

import dev.drpilot.events.NodeRole;

import java.util.Map;

/** What one probe execution found. */
record ProbeOutcome(boolean ok, NodeRole role, String error, Map<String, String> details) {
    ProbeOutcome {
        details = Map.copyOf(details);
    }

    static ProbeOutcome ok(NodeRole role, Map<String, String> details) {
        return new ProbeOutcome(true, role, null, details);
    }

    static ProbeOutcome failed(String error) {
        return new ProbeOutcome(false, NodeRole.UNKNOWN, error, Map.of());
    }
}
