package dev.drpilot.failover;

import java.util.Map;

/**
 * What a step did: a sentence for the audit record and figures (e.g. {@code lagBytes},
 * {@code promotedAt}, {@code changeId}) for its attributes.
 */
public record StepOutcome(String detail, Map<String, String> attributes) {
    public StepOutcome {
        attributes = Map.copyOf(attributes);
    }

    public static StepOutcome of(String detail) {
        return new StepOutcome(detail, Map.of());
    }
}
