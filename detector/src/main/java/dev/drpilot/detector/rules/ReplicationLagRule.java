package dev.drpilot.detector.rules;

import dev.drpilot.config.ComponentLimits;
import dev.drpilot.config.Durations;
import dev.drpilot.config.Thresholds;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Duration;
import java.util.Optional;

/**
 * Rule 1, replication lag: a replica's lag over {@code thresholds.replicationLag} (or
 * {@code replicationLagBytes}) for {@code thresholds.lagHold} → WARNING; over the component's RPO →
 * CRITICAL. It resolves after {@code resolveHold} below 90 % of the threshold (hysteresis).
 * Observations without a figure (null: no measurement) neither raise nor clear it. Thresholds are
 * the component's own where it overrides them. The comparisons themselves are
 * {@link ComponentLimits}, shared with the status page; the holds over time are this rule's.
 */
public final class ReplicationLagRule extends RuleProcessor<ReplicationObservation, Alert> {
    public static final String NAME = "replication-lag";

    public ReplicationLagRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void handle(Record<String, ReplicationObservation> record) {
        ReplicationObservation observation = record.value();
        if (observation == null || (observation.getLagSeconds() == null && observation.getLagBytes() == null)) {
            return;
        }
        String component = observation.getComponent();
        ComponentLimits limits = plant.limits(component);
        Thresholds thresholds = limits.thresholds();
        double seconds = observation.getLagSeconds() == null ? 0 : observation.getLagSeconds();
        long bytes = observation.getLagBytes() == null ? 0 : observation.getLagBytes();
        double threshold = limits.lagThresholdSeconds();
        boolean holds = limits.lagOver(seconds, bytes);
        boolean stillHolds = limits.lagStillOver(seconds, bytes);
        if (!holds && !stillHolds && book.state(Alerts.fingerprint(NAME, Alerts.identity("component", component,
                "cluster", observation.getCluster(), "node", observation.getReplicaNode()))).isEmpty()) {
            return;   // the common case: a healthy replica with nothing pending or firing
        }
        Optional<Duration> rpo = limits.rpo();
        Severity severity = limits.lagOverRpo(seconds) ? Severity.CRITICAL : Severity.WARNING;
        String summary = "Replica " + observation.getReplicaNode() + " of " + observation.getCluster() + " is "
                + Durations.format(Duration.ofSeconds(Math.round(seconds))) + " behind";   // whole seconds: "1m8s", not "1m7s709ms"
        String description = "Replication lag of " + observation.getReplicaNode() + ": " + seconds + " s, " + bytes
                + " bytes (threshold " + Durations.format(thresholds.replicationLag()) + " / " + thresholds.replicationLagBytes() + " bytes"
                + rpo.map(limit -> ", RPO " + Durations.format(limit)).orElse("") + ").";
        AlertDraft draft = new AlertDraft(NAME, "ReplicationLag", Alerts.identity("component", component,
                "cluster", observation.getCluster(), "node", observation.getReplicaNode()),
                summary, description, seconds, threshold, "seconds", null);
        book.evaluate(draft, new AlertLifecycle(thresholds.lagHold(), thresholds.resolveHold()),
                new Evaluation(observation.getObservedAt(), holds, stillHolds, severity), wallClock());
    }
}
