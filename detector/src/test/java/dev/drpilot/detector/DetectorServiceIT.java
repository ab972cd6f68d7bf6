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
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The detector application on a real broker: exactly-once, an alert out of observations in, poison pills to the dead-letter
 * topic; and what its {@code /metrics} say about them.
 */
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
        PrometheusRegistry registry = new PrometheusRegistry();
        try (DetectorService detector = new DetectorService(config, broker.clientProperties(), TestNames.unique("detector-it"), stateDir).start();
             KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer())) {
            detector.registerMetrics(registry);
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
        
            await("the figures on /metrics").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String text = scrape(registry);
                assertThat(text).contains("drpilot_detector_dead_lettered_total{exception=\"SerializationException\",node=\""
                        + Topics.REPLICATION_OBSERVATIONS.name() + "\",stage=\"deserialization\"} 1.0");
                // At least this test's own: the module's ITs share one broker, and the detector reads the observation
                // topics from their beginning, other tests' records included.
                assertThat(value(text, "drpilot_detector_open_alerts{rule=\"replication-lag\"}")).isGreaterThanOrEqualTo(1.0);
                assertThat(value(text, "drpilot_detector_rule_evaluations_total{rule=\"replication-lag\"}")).isGreaterThanOrEqualTo(5.0);
                assertThat(text).contains("drpilot_detector_open_alerts{rule=\"split-brain\"} 0.0",
                        "drpilot_detector_state{state=\"RUNNING\"} 1.0",
                        "drpilot_detector_stream_threads{state=\"RUNNING\"} 1.0",
                        "kafka_stream_task_dropped_records_total{", "kafka_stream_thread_commit_latency_avg_seconds{",
                        "kafka_consumer_fetch_manager_records_lag{");
            });
            assertThat(detector.notReady()).isEmpty();
            assertThat(detector.worker().alive()).isTrue();
        }
    }

    /** The value of one series in a scrape; fails the assertion when the series is not there. */
    private static double value(String scrape, String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " is not on /metrics"));
    }

    private static String scrape(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
