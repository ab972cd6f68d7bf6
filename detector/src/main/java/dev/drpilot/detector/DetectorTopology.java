package dev.drpilot.detector;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.alert.AlertBook;
import dev.drpilot.detector.alert.AlertState;
import dev.drpilot.detector.metrics.RuleEvaluations;
import dev.drpilot.detector.rules.ArchivingRule;
import dev.drpilot.detector.rules.BackupFailedRule;
import dev.drpilot.detector.rules.DatabaseRefusesRule;
import dev.drpilot.detector.rules.DeliveryFailedRule;
import dev.drpilot.detector.rules.FailoverHealthInput;
import dev.drpilot.detector.rules.FailoverHealthRule;
import dev.drpilot.detector.rules.PrimaryDownInput;
import dev.drpilot.detector.rules.PrimaryDownOutput;
import dev.drpilot.detector.rules.PrimaryDownRule;
import dev.drpilot.detector.rules.PrimaryWatch;
import dev.drpilot.detector.rules.RecoveryPointRule;
import dev.drpilot.detector.rules.RestoreCheckRule;
import dev.drpilot.detector.rules.ReplicationLagRule;
import dev.drpilot.detector.rules.RtoInput;
import dev.drpilot.detector.rules.RtoRule;
import dev.drpilot.detector.rules.SilentCollectorRule;
import dev.drpilot.detector.rules.SplitBrainInput;
import dev.drpilot.detector.rules.SplitBrainOutput;
import dev.drpilot.detector.rules.SplitBrainRule;
import dev.drpilot.detector.state.JsonSerde;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.Stores;

import java.util.ArrayList;
import java.util.List;

/**
 * The detectors as one Kafka Streams topology: a pure function of the configuration.
 *
 * <p>Rules about one cluster (lag, primary down, split brain, RTO) run where its observations
 * are, partitioned by cluster, so they scale with the partitions. Rules that must also notice what
 * never arrived (RPO without any backup report, collectors that never started) or that join two
 * differently keyed topics (failover health) run in single-partition sub-topologies: their volume
 * is small, and one task then knows every component, collector or incident — a configured but
 * silent one is checked once, not once per partition.
 */
public final class DetectorTopology {
    private DetectorTopology() {
    }

    public static Topology build(DrpilotConfig config) {
        Plant plant = new Plant(config);
        StreamsBuilder builder = new StreamsBuilder();
        List<KStream<String, Alert>> alerts = new ArrayList<>();

        KStream<String, ReplicationObservation> replication = stream(builder, Topics.REPLICATION_OBSERVATIONS);
        KStream<String, HealthObservation> health = stream(builder, Topics.HEALTH_OBSERVATIONS);
        KStream<String, BackupObservation> backups = stream(builder, Topics.BACKUP_OBSERVATIONS);

        alerts.add(replication.process(rule(builder, ReplicationLagRule.NAME, () -> new ReplicationLagRule(plant)),
                Named.as(ReplicationLagRule.NAME), stores(ReplicationLagRule.NAME)));
        alerts.add(backups.process(rule(builder, BackupFailedRule.NAME, () -> new BackupFailedRule(plant)),
                Named.as(BackupFailedRule.NAME), stores(BackupFailedRule.NAME)));
        alerts.add(backups.process(rule(builder, ArchivingRule.NAME, () -> new ArchivingRule(plant)),
                Named.as(ArchivingRule.NAME), stores(ArchivingRule.NAME)));

        // What a node is (down, primary) is decided by vantages only: collectors, and ingest API sources configured as vantages.
        KStream<String, HealthObservation> healthFromVantages = health.filter((key, value) -> value == null
                || plant.countsAsVantage(value.getSource().getCollectorId()), Named.as("health-from-vantages"));
        KStream<String, ReplicationObservation> replicationFromVantages = replication.filter((key, value) -> value == null
                || plant.countsAsVantage(value.getSource().getCollectorId()), Named.as("replication-from-vantages"));

        // The primary-down rule also weighs each node's own agent (its host's view); split brain does not: who answers as
        // primary is the vantages' to say.
        KStream<String, HealthObservation> healthFromVantagesAndAgents = health.filter((key, value) -> value == null
                || plant.countsAsVantage(value.getSource().getCollectorId())
                || plant.countsAsAgentEvidence(value.getSource().getCollectorId(), value.getCluster(), value.getNode()),
                Named.as("health-from-vantages-and-agents"));
        addStore(builder, PrimaryDownRule.STORE, JsonSerde.of(PrimaryWatch.class));
        KStream<String, PrimaryDownOutput> primaryDown = healthFromVantagesAndAgents.<PrimaryDownInput>mapValues(PrimaryDownInput.Probe::new, Named.as("health-for-primary-down"))
                .merge(replicationFromVantages.mapValues(PrimaryDownInput.ReplicaView::new, Named.as("replication-for-primary-down")), Named.as("primary-down-input"))
                .process(rule(builder, PrimaryDownRule.NAME, () -> new PrimaryDownRule(plant)), Named.as(PrimaryDownRule.NAME),
                        stores(PrimaryDownRule.NAME, PrimaryDownRule.STORE));
        alerts.add(primaryDown.flatMapValues(PrimaryDownOutput::alerts, Named.as("primary-down-alerts")));

        // The split-brain rule also learns from the failovers' summaries which node each replaced, re-keyed by cluster onto the
        // partitions of the health observations (the repartition topic takes drpilot.actions' partition count: drpilot creates
        // both topics with the same count, which is what puts a cluster's summaries and probes in one task).
        KStream<String, ActionRecord> actions = stream(builder, Topics.ACTIONS);
        KStream<String, SplitBrainInput> failoversByCluster = actions
                .filter((key, value) -> value != null && value.getCluster() != null && value.getKind() == ActionKind.FAILOVER_SUMMARY
                        && value.getStatus() == ActionStatus.SUCCEEDED, Named.as("failover-summaries"))
                .selectKey((key, value) -> value.getCluster(), Named.as("failover-summaries-by-cluster"))
                .repartition(Repartitioned.<String, ActionRecord>as("split-brain-failovers")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.ACTIONS.valueSerde()))
                .mapValues(SplitBrainInput.Failover::new, Named.as("failovers-for-split-brain"));
        addStore(builder, SplitBrainRule.STORE, JsonSerde.of(SplitBrainRule.Roles.class));
        KStream<String, SplitBrainOutput> splitBrain = healthFromVantages
                .<SplitBrainInput>mapValues(SplitBrainInput.Probe::new, Named.as("health-for-split-brain"))
                .merge(failoversByCluster, Named.as("split-brain-input"))
                .process(rule(builder, SplitBrainRule.NAME, () -> new SplitBrainRule(plant)), Named.as(SplitBrainRule.NAME),
                        stores(SplitBrainRule.NAME, SplitBrainRule.STORE));
        alerts.add(splitBrain.flatMapValues(SplitBrainOutput::alerts, Named.as("split-brain-alerts")));

        // Incidents of the primary-down rule, and the application and DNS probes, feed the RTO clock.
        addStore(builder, RtoRule.STORE, JsonSerde.of(RtoRule.Tracked.class));
        alerts.add(primaryDown.<RtoInput>flatMapValues(PrimaryDownOutput::incidents, Named.as("incidents"))
                .merge(health.mapValues(RtoInput.Probe::new, Named.as("probes-for-rto")), Named.as("rto-input"))
                .process(rule(builder, RtoRule.NAME, () -> new RtoRule(plant)), Named.as(RtoRule.NAME), stores(RtoRule.NAME, RtoRule.STORE)));

        addStore(builder, RecoveryPointRule.STORE, JsonSerde.of(RecoveryPointRule.RecoveryPoint.class));
        alerts.add(backups.selectKey((key, value) -> value.getComponent(), Named.as("backups-by-component"))
                .repartition(Repartitioned.<String, BackupObservation>as("recovery-points")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.BACKUP_OBSERVATIONS.valueSerde()).withNumberOfPartitions(1))
                .process(rule(builder, RecoveryPointRule.NAME, () -> new RecoveryPointRule(plant)), Named.as(RecoveryPointRule.NAME),
                        stores(RecoveryPointRule.NAME, RecoveryPointRule.STORE)));

        addStore(builder, RestoreCheckRule.STORE, JsonSerde.of(RestoreCheckRule.Track.class));
        alerts.add(stream(builder, Topics.RESTORE_CHECKS)
                .repartition(Repartitioned.<String, RestoreCheck>as("restore-checks")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.RESTORE_CHECKS.valueSerde()).withNumberOfPartitions(1))
                .process(rule(builder, RestoreCheckRule.NAME, () -> new RestoreCheckRule(plant)), Named.as(RestoreCheckRule.NAME),
                        stores(RestoreCheckRule.NAME, RestoreCheckRule.STORE)));

        addStore(builder, SilentCollectorRule.STORE, JsonSerde.of(SilentCollectorRule.Heard.class));
        alerts.add(stream(builder, Topics.COLLECTOR_HEARTBEATS)
                .repartition(Repartitioned.<String, CollectorHeartbeat>as("heartbeats")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.COLLECTOR_HEARTBEATS.valueSerde()).withNumberOfPartitions(1))
                .process(rule(builder, SilentCollectorRule.NAME, () -> new SilentCollectorRule(plant)), Named.as(SilentCollectorRule.NAME),
                        stores(SilentCollectorRule.NAME, SilentCollectorRule.STORE)));

        addStore(builder, FailoverHealthRule.STORE, JsonSerde.of(FailoverHealthRule.Track.class));
        KStream<String, FailoverCommand> commands = stream(builder, Topics.FAILOVER_COMMANDS);
        KStream<String, FailoverHealthInput> failoverInput = commands
                .selectKey((key, value) -> value.getIncidentId(), Named.as("commands-by-incident"))
                .repartition(Repartitioned.<String, FailoverCommand>as("failover-commands")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.FAILOVER_COMMANDS.valueSerde()).withNumberOfPartitions(1))
                .<FailoverHealthInput>mapValues(FailoverHealthInput.Command::new, Named.as("commands-for-failover-health"))
                .merge(actions
                        .filter((key, value) -> value != null && value.getIncidentId() != null, Named.as("actions-with-incident"))
                        .selectKey((key, value) -> value.getIncidentId(), Named.as("actions-by-incident"))
                        .repartition(Repartitioned.<String, ActionRecord>as("failover-actions")
                                .withKeySerde(Serdes.String()).withValueSerde(Topics.ACTIONS.valueSerde()).withNumberOfPartitions(1))
                        .mapValues(FailoverHealthInput.Action::new, Named.as("actions-for-failover-health")), Named.as("failover-health-input"));
        alerts.add(failoverInput.process(rule(builder, FailoverHealthRule.NAME, () -> new FailoverHealthRule(plant)),
                Named.as(FailoverHealthRule.NAME), stores(FailoverHealthRule.NAME, FailoverHealthRule.STORE)));

        // After the others: the merges' names below follow the order, and existing ones keep theirs.
        addStore(builder, DatabaseRefusesRule.STORE, JsonSerde.of(DatabaseRefusesRule.Refusals.class));
        alerts.add(health.process(rule(builder, DatabaseRefusesRule.NAME, () -> new DatabaseRefusesRule(plant)), Named.as(DatabaseRefusesRule.NAME),
                stores(DatabaseRefusesRule.NAME, DatabaseRefusesRule.STORE)));

        // Alerts the actuator gave up delivering, re-keyed by receiver into one partition: delivery-failed tells the others.
        addStore(builder, DeliveryFailedRule.STORE, JsonSerde.of(DeliveryFailedRule.Track.class));
        alerts.add(actions
                .filter((key, value) -> value != null && value.getKind() == ActionKind.ALERT_DELIVERY && value.getName() != null,
                        Named.as("alert-deliveries"))
                .selectKey((key, value) -> value.getName(), Named.as("alert-deliveries-by-receiver"))
                .repartition(Repartitioned.<String, ActionRecord>as("alert-deliveries")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.ACTIONS.valueSerde()).withNumberOfPartitions(1))
                .process(rule(builder, DeliveryFailedRule.NAME, () -> new DeliveryFailedRule(plant)), Named.as(DeliveryFailedRule.NAME),
                        stores(DeliveryFailedRule.NAME, DeliveryFailedRule.STORE)));

        // One sink for every rule's alerts: the rules stay in one sub-topology, as they always were (task ids, and so
        // the tasks' local state, must survive an upgrade). A sink per rule (11 sub-topologies, fewer empty inputs per
        // task) was measured against this on 2026-12-02 and gained nothing beyond the noise (docs/benchmarks.md).
        KStream<String, Alert> all = alerts.get(0);
        for (int i = 1; i < alerts.size(); i++) {
            all = all.merge(alerts.get(i), Named.as("outputs-" + i));
        }
        to(all, Topics.ALERTS, "alerts");
        to(primaryDown.flatMapValues(PrimaryDownOutput::commands, Named.as("commands-only")), Topics.FAILOVER_COMMANDS, "failover-commands");
        to(splitBrain.flatMapValues(SplitBrainOutput::commands, Named.as("fence-commands-only")), Topics.FAILOVER_COMMANDS, "fence-commands");
        return builder.build();
    }

    private static <V> void to(KStream<String, V> stream, Topic<String, V> topic, String name) {
        stream.to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName(name));
    }

    private static <V> KStream<String, V> stream(StreamsBuilder builder, Topic<String, V> topic) {
        return builder.stream(topic.name(), Consumed.with(topic.keySerde(), topic.valueSerde()).withName(topic.name()));
    }

    /** Registers the rule's alert stores and returns its processor supplier, counting the records it evaluates. */
    private static <V, O> ProcessorSupplier<String, V, String, O> rule(StreamsBuilder builder, String rule,
                                                                      ProcessorSupplier<String, V, String, O> supplier) {
        addStore(builder, AlertBook.Stores.states(rule), JsonSerde.of(AlertState.class));
        addStore(builder, AlertBook.Stores.firing(rule), Topics.ALERTS.valueSerde());
        return RuleEvaluations.counted(rule, supplier);
    }

    private static String[] stores(String rule, String... own) {
        String[] names = new String[2 + own.length];
        names[0] = AlertBook.Stores.states(rule);
        names[1] = AlertBook.Stores.firing(rule);
        System.arraycopy(own, 0, names, 2, own.length);
        return names;
    }

    private static <V> void addStore(StreamsBuilder builder, String name, Serde<V> valueSerde) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
                .withCachingEnabled());
    }
}
