package dev.drpilot.detector;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The detector's state directory on a real broker: kept across a restart (no restore from the changelogs' beginning), held
 * by one detector at a time, and wiped when the Kafka cluster under it is a new one (the all-in-one's embedded broker whose
 * data was thrown away).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class DetectorStateDirIT {
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components: [{name: sd-db, kind: database}]
            thresholds: {lagHold: 10s}
            """, "it", name -> null);

    @TempDir
    Path stateDir;
    @TempDir
    Path otherStateDir;

    @Test
    void aRestartKeepsItsStateAndRestoresNothingWhereAnEmptyDirectoryRestoresEverything(EmbeddedKafkaBroker broker) throws Exception {
        ensureTopics(broker.clientProperties());
        String applicationId = TestNames.unique("state-dir");
        String cluster = TestNames.unique("sd-cluster");
        Restores first = new Restores();
        try (DetectorService detector = new DetectorService(CONFIG, broker.clientProperties(), applicationId, stateDir).onRestore(first).start()) {
            publishLag(broker, cluster);
            awaitFiring(broker, cluster);
        }
        Path marker = Files.writeString(aTaskDirectory(stateDir, applicationId).resolve("marker"), "kept");

        Restores restart = new Restores();
        try (DetectorService detector = new DetectorService(CONFIG, broker.clientProperties(), applicationId, stateDir).onRestore(restart).start()) {
            await("the restarted detector RUNNING").atMost(Duration.ofSeconds(60)).until(() -> detector.notReady().isEmpty());
        }
        assertThat(marker).as("the task directory of the first run, kept").exists();
        assertThat(restart.records.get()).as("records restored by the restart on its own state directory").isZero();

        Restores fresh = new Restores();
        try (DetectorService detector = new DetectorService(CONFIG, broker.clientProperties(), applicationId, otherStateDir).onRestore(fresh).start()) {
            await("an empty state directory restored from the changelogs").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> {
                        assertThat(detector.notReady()).isEmpty();
                        assertThat(fresh.records.get()).isPositive();
                    });
        }
    }

    @Test
    void aSecondDetectorOnTheSameDirectoryFailsAtOnceNamingTheDirectoryAndTheKey(EmbeddedKafkaBroker broker) {
        String applicationId = TestNames.unique("state-dir-lock");
        try (DetectorService first = new DetectorService(CONFIG, broker.clientProperties(), applicationId, stateDir)) {
            assertThatThrownBy(() -> new DetectorService(CONFIG, broker.clientProperties(), applicationId, stateDir))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the detector's state directory " + stateDir.toAbsolutePath().normalize() + " is in use by another detector")
                    .hasMessageContaining("detector.stateDir");
            // Another application id has a state of its own under the same directory (Kafka Streams keys it by the id).
            new DetectorService(CONFIG, broker.clientProperties(), applicationId + "-other", stateDir).close();
        }
        // Released on close: the next detector takes the directory.
        new DetectorService(CONFIG, broker.clientProperties(), applicationId, stateDir).close();
    }

    @Test
    void stateRestoredFromAnotherClusterIsWipedAndTheDetectorStartsOnTheNewOne(EmbeddedKafkaBroker broker, @TempDir Path brokerDir)
            throws Exception {
        ensureTopics(broker.clientProperties());
        String applicationId = TestNames.unique("state-dir-new-cluster");
        String cluster = TestNames.unique("sd-cluster");
        try (DetectorService detector = new DetectorService(CONFIG, broker.clientProperties(), applicationId, stateDir).start()) {
            publishLag(broker, cluster);
            awaitFiring(broker, cluster);
        }
        Path marker = Files.writeString(aTaskDirectory(stateDir, applicationId).resolve("marker"), "old cluster");
        assertThat(stateDir.resolve(applicationId + ".cluster-id")).hasContent(broker.clusterId());

        try (EmbeddedKafkaBroker fresh = EmbeddedKafkaBroker.builder(brokerDir).build().start()) {
            ensureTopics(fresh.clientProperties());
            try (DetectorService detector = new DetectorService(CONFIG, fresh.clientProperties(), applicationId, stateDir).start()) {
                await("the detector RUNNING on the new cluster").atMost(Duration.ofSeconds(60)).until(() -> detector.notReady().isEmpty());
                assertThat(detector.worker().alive()).isTrue();
            }
            assertThat(marker).as("the old cluster's local state, wiped").doesNotExist();
            assertThat(stateDir.resolve(applicationId + ".cluster-id")).hasContent(fresh.clusterId());
        }
    }

    private static void ensureTopics(Map<String, Object> clientProperties) {
        try (Admin admin = Admin.create(clientProperties)) {
            TopicAdmin.ensureTopics(admin, DetectorService.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    private static void publishLag(EmbeddedKafkaBroker broker, String cluster) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer())) {
            Instant t0 = Instant.parse("2026-11-24T03:00:00Z");
            for (int s = 0; s <= 20; s += 5) {
                ReplicationObservation observation = ReplicationObservation.newBuilder()
                        .setObservedAt(t0.plusSeconds(s)).setSource(Source.newBuilder().setCollectorId("c").setVantage("v").build())
                        .setComponent("sd-db").setCluster(cluster).setReplicaNode("pg-2").setStreaming(true).setLagSeconds(90.0).build();
                producer.send(new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), cluster,
                        Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer().serialize(Topics.REPLICATION_OBSERVATIONS.name(), observation))).get();
            }
        }
    }

    private static void awaitFiring(EmbeddedKafkaBroker broker, String cluster) {
        await("a FIRING alert for " + cluster).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<ConsumerRecord<String, Alert>> alerts = KafkaTestClients.read(broker, Topics.ALERTS.name(), 1_000,
                    Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(2));
            assertThat(alerts).anySatisfy(record -> {
                assertThat(record.value().getCluster()).isEqualTo(cluster);
                assertThat(record.value().getStatus()).isEqualTo(AlertStatus.FIRING);
            });
        });
    }

    /** A task's directory (Kafka Streams names them {@code <subtopology>_<partition>}) under the application's. */
    private static Path aTaskDirectory(Path stateDir, String applicationId) throws IOException {
        try (Stream<Path> tasks = Files.list(stateDir.resolve(applicationId))) {
            return tasks.filter(Files::isDirectory).filter(dir -> dir.getFileName().toString().matches("\\d+_\\d+")).findFirst()
                    .orElseThrow(() -> new AssertionError("no task directory under " + stateDir.resolve(applicationId)));
        }
    }

    /** Counts what Kafka Streams restores from the changelogs. */
    private static final class Restores implements StateRestoreListener {
        final AtomicLong records = new AtomicLong();

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
            records.addAndGet(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        }
    }
}
