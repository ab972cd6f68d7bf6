package dev.drpilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Severity;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.notify.status.Figures;
import dev.drpilot.events.LeaseState;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code drpilot status} against the shared broker: a failover on record, the evidence after it, a backup, an open alert, a
 * drill's measured RTO, a pause and a failover awaiting approval; the table and the JSON.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class StatusCommandIT {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void printsEachNodesLiveRoleTimelineAndUpstreamAfterAFailover(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.REPLICATION_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS, Topics.ACTIONS,
                    Topics.AGENT_LEASES, Topics.BACKUP_OBSERVATIONS, Topics.ALERTS, Topics.FAILOVER_CONTROL), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String cluster = TestNames.unique("cli-status");
        Path config = dir.resolve("drpilot.yaml");
        String component = cluster + "-db";
        Files.writeString(config, """
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes:
                      - {name: pg-1, host: 10.0.0.1, role: primary}
                      - {name: pg-2, host: 10.0.0.2}
                      - {name: pg-3, host: 10.0.0.3}
                drills:
                  plans:
                    - {name: %1$s-switchover, kind: switchover, cluster: %1$s}
                """.formatted(cluster));
        Instant promoted = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
        // Before the failover the collector saw pg-1 primary (timeline 1, still its last known); the summary then promoted pg-2;
        // after it, the collector's view and pg-2's agent's lease.
        send(broker, Topics.REPLICATION_OBSERVATIONS, cluster, observation(cluster, "pg-2", "pg-1", promoted.minusSeconds(20))
                .setInRecovery(true).setStreaming(true).setTimeline(1L).setPrimaryTimeline(1L).setUpstream("pg-1").build());
        send(broker, Topics.ACTIONS, cluster + "-inc", ActionRecord.newBuilder().setActionId(cluster + "-inc/summary")
                .setKind(ActionKind.FAILOVER_SUMMARY).setName("summary").setStatus(ActionStatus.SUCCEEDED).setIncidentId(cluster + "-inc")
                .setCluster(cluster).setStartedAt(promoted.minusSeconds(3)).setFinishedAt(promoted)
                .setAttributes(Map.of("outcome", "SUCCEEDED", "mode", "AUTO", "oldPrimary", "pg-1", "newPrimary", "pg-2")).build());
        send(broker, Topics.REPLICATION_OBSERVATIONS, cluster, observation(cluster, "pg-3", "pg-2", promoted.plusSeconds(5))
                .setInRecovery(true).setStreaming(true).setTimeline(2L).setPrimaryTimeline(2L).setUpstream("pg-2").setLagSeconds(0.5)
                .setLagBytes(2048L).build());
        send(broker, Topics.REPLICATION_OBSERVATIONS, cluster, observation(cluster, "pg-1", "pg-2", promoted.plusSeconds(5))
                .setError("replica pg-1: connection refused").build());
        send(broker, Topics.AGENT_LEASES, cluster, AgentLease.newBuilder().setCluster(cluster).setNode("pg-2").setAgentId("agent-pg-2")
                .setState(LeaseState.HOLDING).setSequence(7).setTtlMillis(5000).setTimeline(2L).setRenewedAt(promoted.plusSeconds(6)).build());

        // The DR plan's side: a good backup 2 minutes old, an open alert, a drill's measured RTO, a pause, a failover awaiting approval.
        Instant backedUp = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.MILLIS);
        send(broker, Topics.BACKUP_OBSERVATIONS, component, BackupObservation.newBuilder().setObservedAt(backedUp)
                .setSource(Source.newBuilder().setCollectorId("collector-1").setVantage("eu").build()).setComponent(component).setCluster(cluster)
                .setTool(BackupTool.PGBACKREST).setStatus(BackupStatus.SUCCEEDED).setFinishedAt(backedUp).setRecoveryPointAt(backedUp).build());
        Instant firing = Instant.now().minusSeconds(90).truncatedTo(ChronoUnit.SECONDS);
        send(broker, Topics.ALERTS, "replication-lag/" + cluster, Alert.newBuilder().setFingerprint("replication-lag/" + cluster)
                .setRule("replication-lag").setStatus(AlertStatus.FIRING).setSeverity(Severity.WARNING).setComponent(component)
                .setCluster(cluster).setNode("pg-3").setLabels(Map.of("rule", "replication-lag"))
                .setAnnotations(Map.of("summary", "Replica pg-3 of " + cluster + " is 95 s behind")).setValue(95.0).setThreshold(60.0)
                .setUnit("seconds").setStartsAt(firing).setEmittedAt(firing).build());
        send(broker, Topics.ACTIONS, cluster + "-drill", ActionRecord.newBuilder().setActionId(cluster + "-drill/summary")
                .setKind(ActionKind.OPERATOR).setName("summary").setStatus(ActionStatus.SUCCEEDED).setIncidentId(cluster + "-drill")
                .setCluster(cluster).setStartedAt(promoted.minusSeconds(600)).setFinishedAt(promoted.minusSeconds(500))
                .setAttributes(Map.of("drill", cluster + "-switchover", "outcome", "PASSED", "rtoMillis", "42300")).build());
        send(broker, Topics.ACTIONS, cluster + "-inc-2", ActionRecord.newBuilder().setActionId(cluster + "-inc-2/approval")
                .setKind(ActionKind.FAILOVER_APPROVAL).setName("approval").setStatus(ActionStatus.STARTED).setIncidentId(cluster + "-inc-2")
                .setCluster(cluster).setStartedAt(Instant.now().minusSeconds(20)).setDetail("manual mode").build());
        try (KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, Topics.FAILOVER_CONTROL.keySerde().serializer(),
                Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            new OperatorControls.Writer(producer, Clock.systemUTC()).pause(cluster, "alice", "patching the hosts");
        }

        assertThat(cli.run("status", cluster, "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers()))
                .as(cli.err.toString()).isZero();
        List<String> lines = cli.out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("CLUSTER").contains("NODE", "ROLE", "TIMELINE", "UPSTREAM", "LAG", "SINCE", "NOTE");
        assertThat(lines.get(4)).isEmpty();
        assertThat(lines.get(5)).startsWith("COMPONENT");
        assertThat(lines.get(6).split("\\s+")).startsWith(component, "database", "warning", "15", "min", "42.3", "s", "5", "min");
        assertThat(lines.get(6)).contains(Figures.time(backedUp));
        assertThat(cli.out.toString()).contains("replication-lag  warning   " + component)
                .containsPattern(cluster + " +\\S+ \\S+ \\([\\d.]+ s ago\\) +alice +failover of " + cluster + " paused by alice: patching the hosts")
                .contains("drpilot failover approve " + cluster + "-inc-2");
        assertThat(lines.get(1).split("\\s+")).startsWith(cluster, "pg-1", "down", "1", "-", "-");
        assertThat(lines.get(1)).endsWith("configured primary; replaced by pg-2 at "
                + promoted.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ') + " (failover " + cluster + "-inc)");
        assertThat(lines.get(2).split("\\s+")).startsWith(cluster, "pg-2", "primary", "2", "-", "-");
        assertThat(lines.get(2)).endsWith("configured replica");
        assertThat(lines.get(3).split("\\s+")).startsWith(cluster, "pg-3", "replica", "2", "pg-2", "0.5", "s", "/", "2.0", "KiB");

        CliRun json = new CliRun();
        assertThat(json.run("status", cluster, "--json", "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers()))
                .as(json.err.toString()).isZero();
        JsonNode document = new ObjectMapper().readTree(json.out.toString());
        JsonNode orders = document.get("clusters").get(0);
        assertThat(orders.get("cluster").asText()).isEqualTo(cluster);
        assertThat(orders.get("primaries")).extracting(JsonNode::asText).containsExactly("pg-2");
        assertThat(orders.get("nodes")).extracting(node -> node.get("node").asText() + "=" + node.get("role").asText())
                .containsExactly("pg-1=down", "pg-2=primary", "pg-3=replica");
        assertThat(orders.get("nodes").get(2).get("upstream").asText()).isEqualTo("pg-2");
        assertThat(document.get("components").get(0).get("drill").get("rtoSeconds").asDouble()).isEqualTo(42.3);
        assertThat(document.get("components").get(0).get("lastGoodBackupAt").asText()).isEqualTo(backedUp.toString());
        assertThat(document.get("alerts")).extracting(alert -> alert.get("rule").asText()).containsExactly("replication-lag");
        assertThat(document.get("pauses")).extracting(pause -> pause.get("by").asText()).containsExactly("alice");
        assertThat(document.get("approvalsPending")).extracting(wait -> wait.get("incident").asText()).containsExactly(cluster + "-inc-2");

        CliRun output = new CliRun();
        assertThat(output.run("status", cluster, "--output", "json", "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers()))
                .as(output.err.toString()).isZero();
        assertThat(new ObjectMapper().readTree(output.out.toString()).get("clusters").get(0).get("primaries"))
                .extracting(JsonNode::asText).containsExactly("pg-2");

        // Once resumed, the pause is gone.
        try (KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, Topics.FAILOVER_CONTROL.keySerde().serializer(),
                Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            new OperatorControls.Writer(producer, Clock.systemUTC()).resume(cluster, "alice");
        }
        CliRun resumed = new CliRun();
        assertThat(resumed.run("status", cluster, "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers())).isZero();
        assertThat(resumed.out.toString()).contains("No failover paused.");

        assertThat(new CliRun().run("status", "no-such-cluster", "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers()))
                .isEqualTo(ExitCodes.INVALID);
    }

    private static ReplicationObservation.Builder observation(String cluster, String replica, String primary, Instant at) {
        return ReplicationObservation.newBuilder().setObservedAt(at)
                .setSource(Source.newBuilder().setCollectorId("collector-1").setVantage("eu").build())
                .setComponent(cluster + "-db").setCluster(cluster).setPrimaryNode(primary).setReplicaNode(replica).setStreaming(false);
    }

    private static <V> void send(EmbeddedKafkaBroker broker, Topic<String, V> topic, String key, V value) throws Exception {
        try (KafkaProducer<String, V> producer = KafkaTestClients.producer(broker, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
        }
    }
}
