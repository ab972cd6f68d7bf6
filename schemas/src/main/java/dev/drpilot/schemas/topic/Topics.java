package dev.drpilot.schemas.topic;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.Silence;
import dev.drpilot.schemas.serde.EventSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** drpilot's topics. Keys are strings; the key decides the partition, hence what stays in order. */
public final class Topics {
    private static final int PARTITIONS = 6;
    private static final Map<String, String> WEEK = Map.of("retention.ms", Long.toString(Duration.ofDays(7).toMillis()));
    private static final Map<String, String> QUARTER = Map.of("retention.ms", Long.toString(Duration.ofDays(90).toMillis()));

    // Observations are keyed by cluster (or by component when there is no cluster), so that
    // everything about one database lands on one partition, in order, and one detector task
    // sees a cluster's primary, replicas and backups together.
    public static final Topic<String, ReplicationObservation> REPLICATION_OBSERVATIONS = new Topic<>(
            "drpilot.observations.replication", Serdes.String(), EventSerdes.REPLICATION_OBSERVATION, PARTITIONS, CleanupPolicy.DELETE, WEEK);
    public static final Topic<String, BackupObservation> BACKUP_OBSERVATIONS = new Topic<>(
            "drpilot.observations.backup", Serdes.String(), EventSerdes.BACKUP_OBSERVATION, PARTITIONS, CleanupPolicy.DELETE, WEEK);
    public static final Topic<String, HealthObservation> HEALTH_OBSERVATIONS = new Topic<>(
            "drpilot.observations.health", Serdes.String(), EventSerdes.HEALTH_OBSERVATION, PARTITIONS, CleanupPolicy.DELETE, WEEK);

    // Keyed by collector id: the silent-collector rule tracks each collector's last heartbeat.
    public static final Topic<String, CollectorHeartbeat> COLLECTOR_HEARTBEATS = new Topic<>(
            "drpilot.collectors.heartbeat", Serdes.String(), EventSerdes.COLLECTOR_HEARTBEAT, PARTITIONS, CleanupPolicy.DELETE, WEEK);

    // Keyed by fingerprint: one alert's FIRING and RESOLVED stay in order for every receiver.
    public static final Topic<String, Alert> ALERTS = new Topic<>(
            "drpilot.alerts", Serdes.String(), EventSerdes.ALERT, PARTITIONS, CleanupPolicy.DELETE, QUARTER);

    // Keyed by cluster: two commands for one cluster are seen by one runbook executor, in order,
    // which is what keeps a cluster from being failed over twice at once.
    public static final Topic<String, FailoverCommand> FAILOVER_COMMANDS = new Topic<>(
            "drpilot.failover.commands", Serdes.String(), EventSerdes.FAILOVER_COMMAND, PARTITIONS, CleanupPolicy.DELETE, QUARTER);

    // The audit trail, keyed by incident id (or cluster): a failover's steps read back in order.
    // Kept for a year: post-incident reviews and `drpilot failover history` read it.
    public static final Topic<String, ActionRecord> ACTIONS = new Topic<>(
            "drpilot.actions", Serdes.String(), EventSerdes.ACTION_RECORD, PARTITIONS, CleanupPolicy.DELETE,
            Map.of("retention.ms", Long.toString(Duration.ofDays(365).toMillis())));

    // Operators' standing instructions to the failover actuator — a cluster paused, an incident
    // approved — keyed by what they are about ("pause/<cluster>", "approve/<incident>"), compacted:
    // the newest instruction per key is kept for good, and the actuator reads the whole topic.
    public static final Topic<String, ActionRecord> FAILOVER_CONTROL = new Topic<>(
            "drpilot.failover.control", Serdes.String(), EventSerdes.ACTION_RECORD, 1, CleanupPolicy.COMPACT,
            Map.of("retention.ms", "-1"));

    // Node agents' leases on their clusters' primaries, keyed by cluster, compacted: the newest record per cluster is
    // the lease as it stands (who holds it, or that it was self-fenced or released), kept for good so that an actuator
    // started later still finds it. Written with acks=all; the agent times its fence from each acknowledged send.
    public static final Topic<String, AgentLease> AGENT_LEASES = new Topic<>(
            "drpilot.agent.leases", Serdes.String(), EventSerdes.AGENT_LEASE, PARTITIONS, CleanupPolicy.COMPACT,
            Map.of("retention.ms", "-1"));

    // The failover actuator's requests to node agents (fence, promotion intent, rejoin) and their answers, keyed
    // <cluster>/<node>: one agent's commands stay in order. Not compacted: an agent reads them through its own consumer
    // group (drpilot-agent-<cluster>-<node>), so one sent while its host was down waits for it; a stale one is ignored
    // by its expiresAt. The actuator reads replies from the end offsets it captured before sending.
    public static final Topic<String, AgentCommand> AGENT_COMMANDS = new Topic<>(
            "drpilot.agent.commands", Serdes.String(), EventSerdes.AGENT_COMMAND, PARTITIONS, CleanupPolicy.DELETE, WEEK);
    public static final Topic<String, AgentReply> AGENT_REPLIES = new Topic<>(
            "drpilot.agent.replies", Serdes.String(), EventSerdes.AGENT_REPLY, PARTITIONS, CleanupPolicy.DELETE, WEEK);

    // Restore checks' outcomes, keyed by component: the restore-check rule sees one component's checks in order.
    // Kept for a year, like the audit trail: they are the evidence that backups can be restored.
    public static final Topic<String, RestoreCheck> RESTORE_CHECKS = new Topic<>(
            "drpilot.recovery.checks", Serdes.String(), EventSerdes.RESTORE_CHECK, PARTITIONS, CleanupPolicy.DELETE,
            Map.of("retention.ms", Long.toString(Duration.ofDays(365).toMillis())));

    // Operators' silences (`drpilot silence add`), keyed by silence id, compacted: the newest version of each silence is
    // kept for good (an expired one stays, with its end moved), and the actuator reads the whole topic. One partition:
    // a handful of records, read whole by every instance.
    public static final Topic<String, Silence> SILENCES = new Topic<>(
            "drpilot.silences", Serdes.String(), EventSerdes.SILENCE, 1, CleanupPolicy.COMPACT, Map.of("retention.ms", "-1"));

    // Records no consumer could read or process, kept byte for byte (headers say where they came
    // from and why) so nothing is lost silently. One partition: volume is low and order helps triage.
    public static final Topic<byte[], byte[]> DEAD_LETTER = new Topic<>(
            "drpilot.deadletter", bytes(), bytes(), 1, CleanupPolicy.DELETE, QUARTER);

    private static final List<Topic<?, ?>> ALL = List.of(REPLICATION_OBSERVATIONS, BACKUP_OBSERVATIONS, HEALTH_OBSERVATIONS,
            COLLECTOR_HEARTBEATS, ALERTS, FAILOVER_COMMANDS, ACTIONS, FAILOVER_CONTROL, AGENT_LEASES, AGENT_COMMANDS, AGENT_REPLIES, RESTORE_CHECKS,
            DEAD_LETTER, SILENCES);

    private Topics() {
    }

    /** The key of a command to (or a reply from) the agent of {@code node} of {@code cluster}. */
    public static String agentKey(String cluster, String node) {
        return cluster + "/" + node;
    }

    public static List<Topic<?, ?>> all() {
        return ALL;
    }

    private static Serde<byte[]> bytes() {
        return Serdes.ByteArray();
    }
}
