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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The detector application on a real broker: exactly-once, an alert out of observations in, poison pills to the dead-letter topic. */
@ExtendWith(EmbeddedKafkaExtension.class)
class DetectorServiceIT {
    @TempDir
    Path stateDir;

    @Test
    void raisesAnAlertFromObservationsAndSendsAPoisonPillToTheDeadLetterTopic(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, DetectorService.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: dl-db, kind: database}]
                thresholds: {lagHold: 10s}
                """, "it", name -> null);
        String cluster = TestNames.unique("dl-cluster");
        try (DetectorService detector = new DetectorService(config, broker.clientProperties(), TestNames.unique("detector-it"), stateDir).start();
             KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), cluster, "not avro".getBytes(StandardCharsets.UTF_8))).get();
            Instant t0 = Instant.parse("2026-11-24T03:00:00Z");
            for (int s = 0; s <= 20; s += 5) {
                ReplicationObservation observation = ReplicationObservation.newBuilder()
                        .setObservedAt(t0.plusSeconds(s)).setSource(Source.newBuilder().setCollectorId("c").setVantage("v").build())
                        .setComponent("dl-db").setCluster(cluster).setReplicaNode("pg-2").setStreaming(true).setLagSeconds(90.0).build();
                producer.send(new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), cluster,
                        Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer().serialize(Topics.REPLICATION_OBSERVATIONS.name(), observation))).get();
            }

            await("a FIRING alert for " + cluster).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<ConsumerRecord<String, Alert>> alerts = KafkaTestClients.read(broker, Topics.ALERTS.name(), 1_000,
                        Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(2));
                assertThat(alerts).filteredOn(record -> cluster.equals(record.value().getCluster()))
                        .singleElement().satisfies(record -> {
                            assertThat(record.value().getStatus()).isEqualTo(AlertStatus.FIRING);
                            assertThat(record.key()).isEqualTo(record.value().getFingerprint());
                        });
            });
            await("the poison pill on the dead-letter topic").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClients.read(broker, Topics.DEAD_LETTER.name(), 1_000,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Duration.ofSeconds(2));
                assertThat(dead).anySatisfy(record -> {
                    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
                    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(cluster);
                });
            });
        }
    }
}
