package dev.drpilot.detector.rules;

import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;

/**
 * What the primary-down rule reads, from two topics: a probe's verdict on a node, or a replica's
 * view of its primary. Each kind hands itself to the rule's handler for it, so the rule needs no
 * type tests.
 */
public sealed interface PrimaryDownInput permits PrimaryDownInput.Probe, PrimaryDownInput.ReplicaView {
    void applyTo(PrimaryDownRule rule);

    record Probe(HealthObservation observation) implements PrimaryDownInput {
        @Override
        public void applyTo(PrimaryDownRule rule) {
            rule.onHealth(observation);
        }
    }

    record ReplicaView(ReplicationObservation observation) implements PrimaryDownInput {
        @Override
        public void applyTo(PrimaryDownRule rule) {
            rule.onReplication(observation);
        }
    }
}
