package dev.drpilot.ingest;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole collectors' process as {@code drpilot ingest} runs it — replication, health probes,
 * a backup poller and heartbeats — against a real primary and replica, publishing to a real
 * broker: every kind of observation arrives on its topic, with its key.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class IngestServiceIT {
    @TempDir
    Path dir;

    @Test
    void everyObservationArrivesOnItsTopicWithItsKey(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, IngestService.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
        Path walG = dir.resolve("wal-g");
        Files.writeString(walG, "#!/bin/sh\necho '[]'\n");
        Files.setPosixFilePermissions(walG, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (PostgresCluster postgres = PostgresCluster.start("svc", 1)) {
            PostgresNode primary = postgres.primary();
            PostgresNode replica = postgres.replica(0);
            DrpilotConfig config = ConfigLoader.parse("""
                    collector: {id: svc-collector, vantage: svc-vantage, heartbeatInterval: 1s}
                    ingestApi: {port: 0}
                    components:
                      - {name: svc-db, kind: database, cluster: svc}
                      - {name: svc-data, kind: data, cluster: svc}
                    clusters:
                      svc:
                        component: svc-db
                        replicationInterval: 1s
                        nodes:
                          - {name: %s, role: primary, host: 127.0.0.1, port: %d, user: postgres}
                          - {name: %s, host: 127.0.0.1, port: %d, user: postgres}
                    backups:
                      - {component: svc-data, tool: wal-g, command: "%s backup-list --detail --json", interval: 1m}
                    """.formatted(primary.name(), primary.port(), replica.name(), replica.port(), walG), "it", name -> null);

            try (IngestService service = new IngestService(config, new CollectorIdentity("svc-collector", "svc-vantage", "test"),
                    broker.clientProperties(), Clock.systemUTC()).start()) {
                ConsumerRecord<String, ReplicationObservation> replication = awaitRecord(broker, Topics.REPLICATION_OBSERVATIONS,
                        r -> "svc-collector".equals(r.value().getSource().getCollectorId()));
                assertThat(replication.key()).isEqualTo("svc");
                assertThat(replication.value().getReplicaNode()).isEqualTo(replica.name());

                ConsumerRecord<String, HealthObservation> health = awaitRecord(broker, Topics.HEALTH_OBSERVATIONS,
                        r -> "svc-collector".equals(r.value().getSource().getCollectorId()) && primary.name().equals(r.value().getNode()));
                assertThat(health.key()).isEqualTo("svc");
                assertThat(health.value().getRole()).isEqualTo(NodeRole.PRIMARY);
                assertThat(health.value().getProbe()).isEqualTo("svc/" + primary.name()); // the implicit probe of each node

                ConsumerRecord<String, BackupObservation> backup = awaitRecord(broker, Topics.BACKUP_OBSERVATIONS,
                        r -> "svc-collector".equals(r.value().getSource().getCollectorId()));
                assertThat(backup.key()).isEqualTo("svc");
                assertThat(backup.value().getStatus()).isEqualTo(BackupStatus.MISSING);

                ConsumerRecord<String, CollectorHeartbeat> heartbeat = awaitRecord(broker, Topics.COLLECTOR_HEARTBEATS,
                        r -> "svc-collector".equals(r.key()));
                assertThat(heartbeat.value().getRuns()).contains("heartbeat", "replication:svc", "probe:svc/" + primary.name(),
                        "probe:svc/" + replica.name(), "backup:svc-data");
            }
        }
    }

    private static <V> ConsumerRecord<String, V> awaitRecord(EmbeddedKafkaBroker broker, Topic<String, V> topic,
                                                            Predicate<ConsumerRecord<String, V>> wanted) {
        @SuppressWarnings("unchecked")
        ConsumerRecord<String, V>[] found = new ConsumerRecord[1];
        await("a record on " + topic.name()).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<ConsumerRecord<String, V>> records = KafkaTestClients.read(broker, topic.name(), 10_000,
                    topic.keySerde().deserializer(), topic.valueSerde().deserializer(), Duration.ofSeconds(1));
            found[0] = records.stream().filter(wanted).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }
}
