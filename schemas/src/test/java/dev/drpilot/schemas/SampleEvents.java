package dev.drpilot.schemas;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.LeaseState;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;
import dev.drpilot.events.Silence;
import dev.drpilot.events.Severity;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Realistic events of every type: with every optional field set, and with only the required ones. */
public final class SampleEvents {
    public static final Instant T0 = Instant.parse("2026-11-24T03:12:45.123Z");
    private static final Source EU = Source.newBuilder().setCollectorId("collector-eu-1").setVantage("eu-west-1a").build();

    private SampleEvents() {
    }

    public static ReplicationObservation replication() {
        return ReplicationObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setComponent("orders-db").setCluster("orders")
                .setPrimaryNode("pg-1").setReplicaNode("pg-2").setStreaming(true)
                .setState("streaming").setSyncState("async").setWalReceiverStatus("streaming").setInRecovery(true)
                .setSentLsn(0x3_0000_1000L).setWriteLsn(0x3_0000_0F00L).setFlushLsn(0x3_0000_0E00L)
                .setReplayLsn(0x3_0000_0800L).setPrimaryLsn(0x3_0000_1000L)
                .setLagBytes(0x800L).setLagSeconds(72.5).setLastReplayAt(T0.minusSeconds(72))
                .setWriteLagSeconds(0.004).setFlushLagSeconds(0.006).setReplayLagSeconds(72.1)
                .setSlotDiskUsageBytes(4_194_304L)
                .setError(null)
                .build();
    }

    public static ReplicationObservation replicationMinimal() {
        return ReplicationObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setComponent("orders-db").setCluster("orders")
                .setReplicaNode("pg-3").setStreaming(false).setError("connection refused")
                .build();
    }

    public static BackupObservation backup() {
        return BackupObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setComponent("orders-data").setCluster("orders")
                .setTool(BackupTool.WAL_G).setStatus(BackupStatus.SUCCEEDED)
                .setBackupName("base_000000010000000300000001").setStartedAt(T0.minusSeconds(600))
                .setFinishedAt(T0.minusSeconds(60)).setRecoveryPointAt(T0.minusSeconds(60))
                .setWalSegment("000000010000000300000001").setStartLsn(0x3_0000_0028L).setFinishLsn(0x3_0000_0138L)
                .setCompressedBytes(1_234_567L).setUncompressedBytes(9_876_543L).setPermanent(true)
                .build();
    }

    public static BackupObservation backupFailed() {
        return BackupObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setComponent("orders-data")
                .setTool(BackupTool.REPORT).setStatus(BackupStatus.FAILED)
                .setError("wal-g backup-push exited 1: ERROR: 2026/11/24 03:12:40 connect: connection refused")
                .build();
    }

    public static HealthObservation health() {
        return HealthObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setProbe("orders-pg-1").setKind(ProbeKind.POSTGRES)
                .setComponent("orders-db").setCluster("orders").setNode("pg-1").setTarget("10.0.1.5:5432")
                .setOk(true).setRole(NodeRole.PRIMARY).setLatencyMillis(3L)
                .setDetails(Map.of("server_version", "15.18"))
                .build();
    }

    public static HealthObservation healthMinimal() {
        return HealthObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setProbe("orders-api").setKind(ProbeKind.HTTP)
                .setComponent("orders-app").setTarget("https://orders.example.com/healthz")
                .setOk(false).setError("timed out after 2000 ms")
                .build();
    }

    /** A PostgreSQL probe the server answered with an error: alive, but the probe did not succeed. */
    public static HealthObservation healthAnsweredWithError() {
        return HealthObservation.newBuilder()
                .setObservedAt(T0).setSource(EU).setProbe("orders-pg-1").setKind(ProbeKind.POSTGRES)
                .setComponent("orders-db").setCluster("orders").setNode("pg-1").setTarget("10.0.1.5:5432")
                .setOk(false).setAnswered(true).setSqlState("53300").setLatencyMillis(4L)
                .setError("FATAL: remaining connection slots are reserved for non-replication superuser connections")
                .build();
    }

    public static CollectorHeartbeat heartbeat() {
        return CollectorHeartbeat.newBuilder()
                .setCollectorId("collector-eu-1").setVantage("eu-west-1a").setSentAt(T0)
                .setIntervalMillis(10_000).setRuns(List.of("replication:orders", "probe:orders-pg-1")).setVersion("0.1.0")
                .build();
    }

    public static Alert alert() {
        return Alert.newBuilder()
                .setFingerprint("replication-lag/orders-db/orders/pg-2").setRule("replication-lag")
                .setStatus(AlertStatus.FIRING).setSeverity(Severity.WARNING)
                .setComponent("orders-db").setCluster("orders").setNode("pg-2")
                .setLabels(Map.of("alertname", "ReplicationLag", "severity", "warning", "component", "orders-db"))
                .setAnnotations(Map.of("summary", "pg-2 is 72 s behind pg-1", "runbook_url", "https://runbooks.example.com/replication-lag"))
                .setValue(72.5).setThreshold(60.0).setUnit("seconds")
                .setStartsAt(T0.minusSeconds(30)).setEndsAt(null).setEmittedAt(T0).setIncidentId(null)
                .build();
    }

    public static Alert alertResolved() {
        return Alert.newBuilder(alert()).setStatus(AlertStatus.RESOLVED).setEndsAt(T0.plusSeconds(300))
                .setValue(null).setThreshold(null).setUnit(null).setLabels(Map.of()).setAnnotations(Map.of())
                .build();
    }

    public static FailoverCommand failoverCommand() {
        return FailoverCommand.newBuilder()
                .setCommandId("cmd-7f3a").setIncidentId("inc-orders-20261124-031245").setCluster("orders")
                .setComponent("orders-db").setFailedNode("pg-1")
                .setReason("primary pg-1 unreachable from 2 of 3 vantages for 6 s").setMode(FailoverMode.AUTO)
                .setTargetNode(null).setForce(false).setDetectedAt(T0.minusSeconds(6)).setIssuedAt(T0)
                .setEvidence(List.of(EU, Source.newBuilder().setCollectorId("collector-eu-2").setVantage("eu-west-1b").build()))
                .build();
    }

    public static ActionRecord actionRecord() {
        return ActionRecord.newBuilder()
                .setActionId("act-91").setKind(ActionKind.FAILOVER_STEP).setName("promote").setStatus(ActionStatus.SUCCEEDED)
                .setIncidentId("inc-orders-20261124-031245").setCluster("orders").setFingerprint(null)
                .setStartedAt(T0).setFinishedAt(T0.plusMillis(1450)).setDetail("promoted pg-2 with pg_promote(true, 30)")
                .setAttributes(Map.of("rto_seconds", "41.2", "data_loss_bytes", "0"))
                .build();
    }

    /** One sample per topic of the catalogue, keyed as the topic's producers key it. */
    public static AgentLease agentLease() {
        return AgentLease.newBuilder()
                .setCluster("orders").setNode("pg-1").setAgentId("agent-pg-1-6f1c").setState(LeaseState.HOLDING)
                .setSequence(42L).setTtlMillis(10_000L).setTimeline(3L).setRenewedAt(T0)
                .setDetails(Map.of("renewMillis", "4"))
                .build();
    }

    public static AgentCommand agentCommand() {
        return AgentCommand.newBuilder()
                .setCommandId("cmd-orders-pg-1-fence-1").setCluster("orders").setNode("pg-1").setKind(AgentCommandKind.FENCE)
                .setNewPrimary("pg-2").setIncidentId("inc-orders-20261124-031245").setReason("pg-1 was replaced by pg-2")
                .setIssuedBy("drpilot-failover-act-1").setIssuedAt(T0).setExpiresAt(T0.plusSeconds(30))
                .setDetails(Map.of("newPrimary.host", "pg-2.internal", "newPrimary.port", "5432"))
                .build();
    }

    public static AgentReply agentReply() {
        return AgentReply.newBuilder()
                .setCommandId("cmd-orders-pg-1-fence-1").setCluster("orders").setNode("pg-1").setAgentId("agent-pg-1-6f1c")
                .setKind(AgentCommandKind.FENCE).setOutcome(AgentReplyOutcome.DONE)
                .setDetail("standby.signal written, postmaster 4242 stopped (immediate) in 118 ms, confirmed gone")
                .setRepliedAt(T0.plusMillis(240)).setAttributes(Map.of("fenced", "agent-stopped", "stopMillis", "118"))
                .build();
    }

    public static RestoreCheck restoreCheck() {
        return RestoreCheck.newBuilder().setCheckedAt(T0).setComponent("orders-data").setHost("restore-1").setSucceeded(true)
                .setTool(BackupTool.PGBACKREST).setBackupName("20261124-020000F").setTarget("time")
                .setTargetTime(T0.minusSeconds(900)).setRecoveryPointAt(T0.minusSeconds(905)).setStartedAt(T0.minusSeconds(120))
                .setDurationMillis(95_000).setRtoMillis(3_600_000).setRpoMillis(900_000L)
                .setChecks(List.of(RestoreCheckQuery.newBuilder().setName("orders").setPassed(true).setDetail("1042").build()))
                .build();
    }

    public static Silence silence() {
        return Silence.newBuilder().setId("7c1e2a90").setMatchers(Map.of("rule", List.of("replication-lag"), "cluster", List.of("orders")))
                .setStartsAt(T0).setEndsAt(T0.plusSeconds(7200)).setCreatedBy("alice").setComment("upgrading pg-2")
                .setPrincipal("User:drpilot-operator").setUpdatedAt(T0).build();
    }

    public static List<Sample<?, ?>> onePerTopic() {
        return List.of(
                new Sample<>(Topics.REPLICATION_OBSERVATIONS, "orders", replication()),
                new Sample<>(Topics.BACKUP_OBSERVATIONS, "orders", backup()),
                new Sample<>(Topics.HEALTH_OBSERVATIONS, "orders", health()),
                new Sample<>(Topics.COLLECTOR_HEARTBEATS, "collector-eu-1", heartbeat()),
                new Sample<>(Topics.ALERTS, alert().getFingerprint(), alert()),
                new Sample<>(Topics.FAILOVER_COMMANDS, "orders", failoverCommand()),
                new Sample<>(Topics.ACTIONS, "inc-orders-20261124-031245", actionRecord()),
                new Sample<>(Topics.FAILOVER_CONTROL, "pause/orders", actionRecord()),
                new Sample<>(Topics.AGENT_LEASES, "orders", agentLease()),
                new Sample<>(Topics.AGENT_COMMANDS, "orders/pg-1", agentCommand()),
                new Sample<>(Topics.AGENT_REPLIES, "orders/pg-1", agentReply()),
                new Sample<>(Topics.RESTORE_CHECKS, "orders-data", restoreCheck()),
                new Sample<>(Topics.DEAD_LETTER, "orders".getBytes(), new byte[] {0x00, 0x01, 0x02}),
                new Sample<>(Topics.SILENCES, "7c1e2a90", silence()));
    }

    public record Sample<K, V>(Topic<K, V> topic, K key, V value) {
    }

    public static List<SpecificRecord> everyRecord() {
        return List.of(replication(), replicationMinimal(), backup(), backupFailed(), health(), healthMinimal(), healthAnsweredWithError(),
                heartbeat(), alert(), alertResolved(), failoverCommand(), actionRecord(), agentLease(), agentCommand(), agentReply(),
                restoreCheck(), silence());
    }
}
