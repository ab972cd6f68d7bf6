package dev.drpilot.detector;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * The detector topology in a {@link TopologyTestDriver}, with a wall clock the test moves, and
 * builders for the observations the rules read. Event times are seconds after {@link #T0}.
 */
public final class RuleDriver implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, ReplicationObservation> replication;
    private final TestInputTopic<String, HealthObservation> health;
    private final TestInputTopic<String, BackupObservation> backups;
    private final TestInputTopic<String, CollectorHeartbeat> heartbeats;
    private final TestInputTopic<String, FailoverCommand> commandsIn;
    private final TestInputTopic<String, ActionRecord> actions;
    private final TestInputTopic<String, RestoreCheck> restoreChecks;
    private final TestOutputTopic<String, Alert> alerts;
    private final TestOutputTopic<String, FailoverCommand> commands;

    public RuleDriver(String yaml) {
        this(ConfigLoader.parse(yaml, "test", name -> null));
    }

    public RuleDriver(DrpilotConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir());
        driver = new TopologyTestDriver(DetectorTopology.build(config), props, T0);
        replication = input(Topics.REPLICATION_OBSERVATIONS);
        health = input(Topics.HEALTH_OBSERVATIONS);
        backups = input(Topics.BACKUP_OBSERVATIONS);
        heartbeats = input(Topics.COLLECTOR_HEARTBEATS);
        commandsIn = input(Topics.FAILOVER_COMMANDS);
        actions = input(Topics.ACTIONS);
        restoreChecks = input(Topics.RESTORE_CHECKS);
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer());
        commands = driver.createOutputTopic(Topics.FAILOVER_COMMANDS.name(), Topics.FAILOVER_COMMANDS.keySerde().deserializer(),
                Topics.FAILOVER_COMMANDS.valueSerde().deserializer());
    }

    /** Each driver its own state directory: tests (and parallel builds) must not share RocksDB files. */
    private static String stateDir() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("drpilot-rules-");
            dir.toFile().deleteOnExit();
            return dir.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    public TopologyTestDriver driver() {
        return driver;
    }

    /** Moves the wall clock (firing wall-clock punctuators on the way). */
    public RuleDriver advance(Duration duration) {
        driver.advanceWallClockTime(duration);
        return this;
    }

    public List<Alert> alerts() {
        return alerts.readValuesToList();
    }

    public List<TestRecord<String, Alert>> alertRecords() {
        return alerts.readRecordsToList();
    }

    public List<FailoverCommand> commands() {
        return commands.readValuesToList();
    }

    public void replication(String key, ReplicationObservation observation) {
        replication.pipeInput(new TestRecord<>(key, observation, observation.getObservedAt()));
    }

    public void health(String key, HealthObservation observation) {
        health.pipeInput(new TestRecord<>(key, observation, observation.getObservedAt()));
    }

    /** An observation Kafka received at {@code receivedAt}, whatever it says it observed at (a wrong clock, or a forgery). */
    public void health(String key, HealthObservation observation, Instant receivedAt) {
        health.pipeInput(new TestRecord<>(key, observation, receivedAt));
    }

    public void backup(String key, BackupObservation observation) {
        backups.pipeInput(new TestRecord<>(key, observation, observation.getObservedAt()));
    }

    public void heartbeat(CollectorHeartbeat heartbeat) {
        heartbeats.pipeInput(new TestRecord<>(heartbeat.getCollectorId(), heartbeat, heartbeat.getSentAt()));
    }

    public void command(FailoverCommand command) {
        commandsIn.pipeInput(new TestRecord<>(command.getCluster(), command, command.getIssuedAt()));
    }

    public void action(ActionRecord action) {
        actions.pipeInput(new TestRecord<>(action.getIncidentId(), action, action.getStartedAt()));
    }

    public void restoreCheck(RestoreCheck check) {
        restoreChecks.pipeInput(new TestRecord<>(check.getComponent().toString(), check, check.getCheckedAt()));
    }

    @Override
    public void close() {
        driver.close();
    }

    // ---- observation builders ----------------------------------------------------------------

    public static Instant at(double second) {
        return T0.plusMillis((long) (second * 1000));
    }

    public static Source source(String vantage) {
        return Source.newBuilder().setCollectorId("collector-" + vantage).setVantage(vantage).build();
    }

    /** The observation as the ingest API publishes it for the source with that token name: stamped {@code api:<name>}. */
    public static HealthObservation viaApi(String sourceName, HealthObservation observation) {
        String id = "api:" + sourceName;
        return HealthObservation.newBuilder(observation).setSource(Source.newBuilder().setCollectorId(id).setVantage(id).build()).build();
    }

    public static ReplicationObservation viaApi(String sourceName, ReplicationObservation observation) {
        String id = "api:" + sourceName;
        return ReplicationObservation.newBuilder(observation).setSource(Source.newBuilder().setCollectorId(id).setVantage(id).build()).build();
    }

    /** A PostgreSQL probe of a node: ok with the given role, or failed (role null). */
    public static HealthObservation postgres(double second, String vantage, String component, String cluster, String node, NodeRole role) {
        boolean ok = role != null;
        return HealthObservation.newBuilder()
                .setObservedAt(at(second)).setSource(source(vantage)).setProbe(cluster + "/" + node).setKind(ProbeKind.POSTGRES)
                .setComponent(component).setCluster(cluster).setNode(node).setTarget(node + ":5432")
                .setOk(ok).setRole(ok ? role : NodeRole.UNKNOWN).setLatencyMillis(ok ? 3L : null)
                .setError(ok ? null : "SocketTimeoutException: connect timed out")
                .build();
    }

    /** A PostgreSQL probe the node answered with an error: alive, but the probe did not succeed. */
    public static HealthObservation refused(double second, String vantage, String component, String cluster, String node,
                                            String sqlState, String message) {
        return HealthObservation.newBuilder()
                .setObservedAt(at(second)).setSource(source(vantage)).setProbe(cluster + "/" + node).setKind(ProbeKind.POSTGRES)
                .setComponent(component).setCluster(cluster).setNode(node).setTarget(node + ":5432")
                .setOk(false).setAnswered(true).setSqlState(sqlState).setRole(NodeRole.UNKNOWN).setLatencyMillis(2L)
                .setError(message)
                .build();
    }

    public static HealthObservation probe(double second, String vantage, String component, String probe, ProbeKind kind, boolean ok) {
        return HealthObservation.newBuilder()
                .setObservedAt(at(second)).setSource(source(vantage)).setProbe(probe).setKind(kind)
                .setComponent(component).setTarget("https://" + component + ".example/healthz")
                .setOk(ok).setError(ok ? null : "HTTP 503").build();
    }

    /** A replica's replication state as the collector reports it. */
    public static ReplicationObservation replica(double second, String vantage, String component, String cluster, String replica,
                                                 String walReceiverStatus, Double lagSeconds) {
        return ReplicationObservation.newBuilder()
                .setObservedAt(at(second)).setSource(source(vantage))
                .setComponent(component).setCluster(cluster).setReplicaNode(replica)
                .setStreaming("streaming".equals(walReceiverStatus)).setWalReceiverStatus(walReceiverStatus).setInRecovery(true)
                .setLagSeconds(lagSeconds).setLagBytes(lagSeconds == null ? null : 0L)
                .build();
    }

    public static BackupObservation backup(double second, String component, BackupStatus status, Instant recoveryPoint) {
        return BackupObservation.newBuilder()
                .setObservedAt(at(second)).setSource(source("backup-job")).setComponent(component).setTool(BackupTool.WAL_G)
                .setStatus(status).setBackupName("base_000000010000000000000042").setRecoveryPointAt(recoveryPoint)
                .setError(status == BackupStatus.FAILED ? "wal-g exited with 1: upload failed" : null)
                .build();
    }

    public static CollectorHeartbeat heartbeat(String collectorId, Instant sentAt, Duration interval) {
        return CollectorHeartbeat.newBuilder().setCollectorId(collectorId).setVantage("eu-1").setSentAt(sentAt)
                .setIntervalMillis(interval.toMillis()).build();
    }

    public static ActionRecord action(String incident, String cluster, ActionKind kind, String name, ActionStatus status, Instant at, String detail) {
        return ActionRecord.newBuilder().setActionId(incident + "/" + name).setKind(kind).setName(name).setStatus(status)
                .setIncidentId(incident).setCluster(cluster).setStartedAt(at).setFinishedAt(at).setDetail(detail).build();
    }
}
