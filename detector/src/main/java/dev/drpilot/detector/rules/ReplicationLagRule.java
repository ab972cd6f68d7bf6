package dev.drpilot.detector.rules;

import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.config.Thresholds;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.AlertState;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rule 1, replication lag: a replica's lag over {@code thresholds.replicationLag} (or
 * {@code replicationLagBytes}) for {@code thresholds.lagHold} → WARNING; over the component's RPO →
 * CRITICAL. It resolves after {@code resolveHold} below 90 % of the threshold (hysteresis).
 * Observations without a figure (null: no measurement) neither raise nor clear it.
 */
public final class ReplicationLagRule implements Processor<String, ReplicationObservation, String, Alert> {
    public static final String NAME = "replication-lag";
    public static final String STORE = "replication-lag-alerts";
    static final double HYSTERESIS = 0.9;

    private final DrpilotConfig config;
    private final AlertLifecycle lifecycle;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, AlertState> store;

    public ReplicationLagRule(DrpilotConfig config) {
        this.config = config;
        Thresholds thresholds = config.thresholds();
        this.lifecycle = new AlertLifecycle(thresholds.lagHold(), thresholds.resolveHold());
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, ReplicationObservation> record) {
        ReplicationObservation observation = record.value();
        if (observation == null || (observation.getLagSeconds() == null && observation.getLagBytes() == null)) {
            return;
        }
        Thresholds thresholds = config.thresholds();
        double seconds = observation.getLagSeconds() == null ? 0 : observation.getLagSeconds();
        long bytes = observation.getLagBytes() == null ? 0 : observation.getLagBytes();
        double threshold = thresholds.replicationLag().toMillis() / 1000.0;
        boolean holds = seconds > threshold || bytes > thresholds.replicationLagBytes();
        boolean stillHolds = seconds > threshold * HYSTERESIS || bytes > thresholds.replicationLagBytes() * HYSTERESIS;
        Optional<Duration> rpo = config.component(observation.getComponent()).flatMap(Component::rpo);
        Severity severity = rpo.filter(limit -> seconds > limit.toMillis() / 1000.0).isPresent() ? Severity.CRITICAL : Severity.WARNING;

        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("component", observation.getComponent());
        identity.put("cluster", observation.getCluster());
        identity.put("node", observation.getReplicaNode());
        String fingerprint = Alerts.fingerprint(NAME, identity);

        AlertLifecycle.Step step = lifecycle.apply(Optional.ofNullable(store.get(fingerprint)),
                new Evaluation(observation.getObservedAt(), holds, stillHolds, severity));
        step.state().ifPresentOrElse(state -> store.put(fingerprint, state), () -> store.delete(fingerprint));
        step.emit().ifPresent(transition -> {
            String summary = "Replica " + observation.getReplicaNode() + " of " + observation.getCluster() + " is "
                    + Durations.format(Duration.ofMillis((long) (seconds * 1000))) + " behind";
            String description = "Replication lag of " + observation.getReplicaNode() + ": " + seconds + " s, " + bytes
                    + " bytes (threshold " + Durations.format(thresholds.replicationLag())
                    + rpo.map(limit -> ", RPO " + Durations.format(limit)).orElse("") + ").";
            Alert alert = Alerts.of(NAME, "ReplicationLag", transition, identity, summary, description, seconds, threshold,
                    "seconds", observation.getObservedAt());
            context.forward(new Record<>(fingerprint, alert, record.timestamp()));
        });
    }
}
