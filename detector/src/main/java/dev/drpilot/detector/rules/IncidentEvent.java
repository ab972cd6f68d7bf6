package dev.drpilot.detector.rules;

import java.time.Instant;
import java.util.List;

/**
 * An incident opened or closed, handed from the rule that saw it (primary down) to the RTO rule
 * inside the topology; never written to a topic.
 *
 * @param closedAt null while open
 */
public record IncidentEvent(String incidentId, String kind, String component, String cluster, String node, String what,
                            Instant openedAt, Instant closedAt) implements PrimaryDownOutput, RtoInput {
    @Override
    public List<IncidentEvent> incidents() {
        return List.of(this);
    }

    @Override
    public void applyTo(RtoRule rule) {
        rule.onIncident(this);
    }
}
