package dev.drpilot.ingest.replication;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.PostgresConnector;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The replication collector against a real primary and streaming replica, publishing to a real broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationCollectorIT {
    private static final PostgresConnector CONNECTOR = new PostgresConnector(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2));
    private static final CollectorIdentity IDENTITY = new CollectorIdentity("it-collector", "it-vantage", "test");

    private static PostgresCluster postgres;
    private static ClusterConfig cluster;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresCluster.start("repl", 1);
        PostgresNode primary = postgres.primary();
        PostgresNode replica = postgres.replica(0);
        cluster = ConfigLoader.parse("""
                components: [{name: repl-db, kind: database}]
                clusters:
                  repl:
                    component: repl-db
                    nodes:
                      - {name: %s, role: primary, host: 127.0.0.1, port: %d, user: postgres}
                      - {name: %s, host: 127.0.0.1, port: %d, user: postgres}
                """.formatted(primary.name(), primary.port(), replica.name(), replica.port()), "it", name -> null)
                .clusters().get("repl");
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static ReplicationCollector collector() {
        MockProducer<String, ReplicationObservation> unused = new MockProducer<>(true, null,
                Serdes.String().serializer(), Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
        return new ReplicationCollector(cluster, IDENTITY, CONNECTOR, unused, unusedArchive(), Clock.systemUTC());
    }

    private static MockProducer<String, BackupObservation> unusedArchive() {
        return new MockProducer<>(true, null, Serdes.String().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer());
    }

    private static ReplicationObservation observeReplica() {
        List<ReplicationObservation> observations = collector().collect().replicas();
        assertThat(observations).hasSize(1);
        return observations.get(0);
    }

    @Test
    @Order(1)
    void anIdlePrimaryStillReportsZeroLagWhileTheNaiveFigureGrows() throws Exception {
        postgres.primary().writeRows(100);
        postgres.awaitCaughtUp(Duration.ofSeconds(30));
        // The naive figure, now() - pg_last_xact_replay_timestamp(), grows while the primary is idle and would cross any lag
        // threshold (60 s by default) given the time. The collector's figure does not depend on how long the primary has been
        // idle, so 20 s show it as well as 61 s did (a minute of the suite): past the 15 s at which an idle primary logs a
        // standby snapshot, WAL without a transaction in it, so the replica has replayed WAL newer than its last transaction.
        await("the last replayed transaction to be older than 20 s").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> secondsSinceLastReplay(postgres.replica(0)) > 20.0);

        // ... but nothing is missing, so the collector reports no lag.
        await("an observation of a caught-up replica").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ReplicationObservation observation = observeReplica();
            assertThat(observation.getLagSeconds()).isEqualTo(0.0);
            assertThat(observation.getLagBytes()).isZero();
            assertThat(observation.getStreaming()).isTrue();
            assertThat(observation.getState()).isEqualTo("streaming");
            assertThat(observation.getPrimaryNode()).isEqualTo(postgres.primary().name());
            assertThat(observation.getInRecovery()).isTrue();
            assertThat(observation.getWalReceiverStatus()).isEqualTo("streaming");
            assertThat(observation.getError()).isNull();
            assertThat(observation.getTimeline()).isEqualTo(1L);
            assertThat(observation.getPrimaryTimeline()).isEqualTo(1L);
            assertThat(observation.getUpstream()).as("the receiver's sender, resolved to the configured node").isEqualTo(postgres.primary().name());
        });
    }

    @Test
    @Order(2)
    void lagRisesWhileReplayIsPausedUnderWriteLoadAndReturnsToZeroAfterResume() throws Exception {
        PostgresNode replica = postgres.replica(0);
        replica.pauseReplay();
        try {
            for (int batch = 0; batch < 5; batch++) {
                postgres.primary().writeRows(5_000);
            }
            await("lag over 1 MiB while replay is paused").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ReplicationObservation observation = observeReplica();
                assertThat(observation.getLagBytes()).isGreaterThan(1L << 20);
                assertThat(observation.getLagSeconds()).isPositive();
                assertThat(observation.getStreaming()).isTrue();
            });
        } finally {
            replica.resumeReplay();
        }
        await("lag back to zero after resume").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ReplicationObservation observation = observeReplica();
            assertThat(observation.getLagBytes()).isZero();
            assertThat(observation.getLagSeconds()).isEqualTo(0.0);
        });
    }

    @Test
    @Order(3)
    void observationsArriveOnTheReplicationTopicKeyedByCluster(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.REPLICATION_OBSERVATIONS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        Topic<String, ReplicationObservation> topic = Topics.REPLICATION_OBSERVATIONS;
        try (KafkaProducer<String, ReplicationObservation> producer =
                     KafkaTestClients.producer(broker, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            new ReplicationCollector(cluster, IDENTITY, CONNECTOR, producer, unusedArchive(), Clock.systemUTC()).run();
            producer.flush();
        }
        // The broker is shared with other tests: pick out this collector's records.
        List<ConsumerRecord<String, ReplicationObservation>> records = KafkaTestClients.read(broker, topic.name(), 1_000,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer(), Duration.ofSeconds(3));
        ConsumerRecord<String, ReplicationObservation> record = records.stream()
                .filter(r -> "it-collector".equals(r.value().getSource().getCollectorId())).findFirst().orElseThrow();

        assertThat(record.key()).isEqualTo("repl");
        assertThat(record.value().getReplicaNode()).isEqualTo(postgres.replica(0).name());
        assertThat(record.value().getSource().getVantage()).isEqualTo("it-vantage");
        assertThat(record.value().getComponent()).isEqualTo("repl-db");
    }

    @Test
    @Order(4)
    void aFrozenPrimaryFailsTheReadWithinTheTimeoutsInsteadOfHangingTheCollector() {
        postgres.primary().freeze();
        try {
            CompletableFuture<List<ReplicationObservation>> read = CompletableFuture.supplyAsync(() -> collector().collect().replicas());
            // connect 1 s + socket 2 s per node: the read ends well within 15 s.
            List<ReplicationObservation> observations = read.orTimeout(15, TimeUnit.SECONDS).join();
            assertThat(observations).singleElement().satisfies(observation -> {
                assertThat(observation.getPrimaryNode()).isNull();
                assertThat(observation.getError()).isEqualTo("no primary answered");
                assertThat(observation.getLagSeconds()).isNull();
                assertThat(observation.getInRecovery()).isTrue();
            });
        } finally {
            postgres.primary().thaw();
        }
    }

    @Test
    @Order(5)
    void aKilledPrimaryLeavesAReplicaObservationWithoutPrimary() {
        postgres.primary().kill();

        ReplicationObservation observation = observeReplica();
        assertThat(observation.getPrimaryNode()).isNull();
        assertThat(observation.getStreaming()).isFalse();
        assertThat(observation.getLagBytes()).isNotNull();
        assertThat(observation.getError()).isEqualTo("no primary answered");
    }

    private static double secondsSinceLastReplay(PostgresNode replica) throws Exception {
        try (Connection connection = replica.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8")) {
            result.next();
            return result.getDouble(1);
        }
    }
}
