package dev.drpilot.detector.rules;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.HealthObservation;

/**
 * What the split-brain rule reads, both keyed by cluster: the vantages' health observations, and the actuator's summaries
 * of successful failovers (which node each replaced). Each kind hands itself to the rule's handler for it.
 */
public sealed interface SplitBrainInput permits SplitBrainInput.Probe, SplitBrainInput.Failover {
    void applyTo(SplitBrainRule rule, long timestamp);

    record Probe(HealthObservation observation) implements SplitBrainInput {
        @Override
        public void applyTo(SplitBrainRule rule, long timestamp) {
            rule.onProbe(observation, timestamp);
        }
    }

    record Failover(ActionRecord summary) implements SplitBrainInput {
        @Override
        public void applyTo(SplitBrainRule rule, long timestamp) {
            rule.onFailover(summary);
        }
    }
}
