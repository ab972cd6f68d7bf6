package dev.drpilot.detector.rules;

import dev.drpilot.events.HealthObservation;

/**
 * What the RTO rule reads: the primary-down rule's incidents, and the application and DNS probes
 * it opens incidents from itself. Each kind hands itself to the rule's handler for it.
 */
public sealed interface RtoInput permits IncidentEvent, RtoInput.Probe {
    void applyTo(RtoRule rule);

    record Probe(HealthObservation observation) implements RtoInput {
        @Override
        public void applyTo(RtoRule rule) {
            rule.onProbe(observation);
        }
    }
}
