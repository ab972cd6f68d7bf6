package dev.drpilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code drpilot status} against the shared broker: a failover on record, the evidence after it, the table and the JSON. */
@ExtendWith(EmbeddedKafkaExtension.class)
class StatusCommandIT {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void printsEachNodesLiveRoleTimelineAndUpstreamAfterAFailover(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.REPLICATION_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS, Topics.ACTIONS,
                    Topics.AGENT_LEASES), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String cluster = TestNames.unique("cli-status");
        Path config = dir.resolve("drpilot.yaml");
        Files.writeString(config, """
                components: [{name: orders-db, kind: database}]
                clusters:
                  %s:
                    component: orders-db
                    nodes:
                      - {name: pg-1, host: 10.0.0.1, role: primary}
                      - {name: pg-2, host: 10.0.0.2}
                      - {name: pg-3, host: 10.0.0.3}
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

        assertThat(cli.run("status", cluster, "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers()))
                .as(cli.err.toString()).isZero();
        List<String> lines = cli.out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("CLUSTER").contains("NODE", "ROLE", "TIMELINE", "UPSTREAM", "LAG", "SINCE", "NOTE");
        assertThat(lines).hasSize(4);
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

        assertThat(new CliRun().run("status", "no-such-cluster", "-c", config.toString(), "--bootstrap-servers", broker.bootstrapServers()))
                .isEqualTo(ExitCodes.INVALID);
    }

    private static ReplicationObservation.Builder observation(String cluster, String replica, String primary, Instant at) {
        return ReplicationObservation.newBuilder().setObservedAt(at)
                .setSource(Source.newBuilder().setCollectorId("collector-1").setVantage("eu").build())
                .setComponent("orders-db").setCluster(cluster).setPrimaryNode(primary).setReplicaNode(replica).setStreaming(false);
    }

    private static <V> void send(EmbeddedKafkaBroker broker, Topic<String, V> topic, String key, V value) throws Exception {
        try (KafkaProducer<String, V> producer = KafkaTestClients.producer(broker, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
        }
    }
}
