package dev.drpilot.detector;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.NodeRole;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.drpilot.detector.RuleDriver.postgres;
import static dev.drpilot.detector.RuleDriver.replica;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The detector application on a real broker, exactly-once: observations in, the expected alerts
 * and exactly one failover command out — with the application stopped and started again (a new
 * instance, empty local state restored from the changelogs) in the middle of the incident.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class DetectorRestartIT {
    @TempDir
    Path stateDir;

    @Test
    void aRestartMidIncidentNeitherDuplicatesNorLosesAlertsAndIssuesOneFailoverCommand(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, DetectorService.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String cluster = TestNames.unique("orders");
        String component = cluster + "-db";
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: %s, kind: database}]
                clusters:
                  %s:
                    component: %s
                    nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
                    failover: {mode: auto}
                thresholds: {lagHold: 10s, resolveHold: 10s}
                """.formatted(component, cluster, component), "it", name -> null);
        String applicationId = TestNames.unique("detector-restart");

        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer())) {
            Publisher publish = new Publisher(producer, cluster);
            try (DetectorService detector = new DetectorService(config, broker.clientProperties(), applicationId, stateDir.resolve("a")).start()) {
                for (int s = 0; s <= 20; s += 5) {
                    publish.replication(replica(s, "eu-1", component, cluster, "pg-2", "streaming", 90.0));
                    publish.health(postgres(s, "eu-1", component, cluster, "pg-1", NodeRole.PRIMARY));
                }
                publish.poison();
                for (double s = 22; s <= 26; s += 2) {
                    publish.health(postgres(s, "eu-1", component, cluster, "pg-1", null));
                }
                publish.replication(replica(27, "eu-1", component, cluster, "pg-2", null, 95.0));
                await("the lag alert and the failover command").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    assertThat(read(broker, Topics.ALERTS, cluster)).extracting(Alert::getRule).contains("replication-lag", "primary-down");
                    assertThat(read(broker, Topics.FAILOVER_COMMANDS, cluster)).hasSize(1);
                });
                assertThat(detector.deadLettered()).isEqualTo(1);
            }

            // The same incident goes on while a new instance restores its state from Kafka.
            for (double s = 28; s <= 40; s += 2) {
                publish.health(postgres(s, "eu-1", component, cluster, "pg-1", null));
                publish.replication(replica(s, "eu-1", component, cluster, "pg-2", null, 95.0));
            }
            try (DetectorService detector = new DetectorService(config, broker.clientProperties(), applicationId, stateDir.resolve("b")).start()) {
                publish.health(postgres(45, "eu-1", component, cluster, "pg-2", NodeRole.PRIMARY));   // promoted
                for (int s = 45; s <= 60; s += 5) {
                    publish.replication(replica(s, "eu-1", component, cluster, "pg-2", "streaming", 0.0));
                }
                // The observations are stamped 03:00 today, so against the wall clock the incident is hours
                // old: the RTO rule fires at once and resolves with the incident — rule 5 end to end.
                await("every alert resolved").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(read(broker, Topics.ALERTS, cluster)).extracting(alert -> alert.getRule() + " " + alert.getStatus())
                                .containsExactlyInAnyOrder("replication-lag FIRING", "primary-down FIRING", "rto-breach FIRING",
                                        "primary-down RESOLVED", "rto-breach RESOLVED", "replication-lag RESOLVED"));
            }
        }
        List<FailoverCommand> commands = read(broker, Topics.FAILOVER_COMMANDS, cluster);
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getFailedNode()).isEqualTo("pg-1");
            assertThat(command.getDetectedAt()).isEqualTo(RuleDriver.at(22));
        });
        assertThat(read(broker, Topics.ALERTS, cluster)).hasSize(6);
    }

    /** Everything committed on a topic for this test's cluster (read_committed: aborted transactions are not output). */
    private static <V> List<V> read(EmbeddedKafkaBroker broker, Topic<String, V> topic, String cluster) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, TestNames.unique("restart-reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<V> values = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(Set.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    String text = String.valueOf(record.value());
                    if (text.contains("\"" + cluster + "\"")) {
                        values.add(record.value());
                    }
                }
            }
        }
        return values;
    }

    private record Publisher(KafkaProducer<String, byte[]> producer, String cluster) {
        void replication(dev.drpilot.events.ReplicationObservation observation) throws Exception {
            send(Topics.REPLICATION_OBSERVATIONS, observation);
        }

        void health(dev.drpilot.events.HealthObservation observation) throws Exception {
            send(Topics.HEALTH_OBSERVATIONS, observation);
        }

        void poison() throws Exception {
            producer.send(new ProducerRecord<>(Topics.HEALTH_OBSERVATIONS.name(), cluster, new byte[]{1, 2, 3})).get();
        }

        private <V> void send(Topic<String, V> topic, V value) throws Exception {
            producer.send(new ProducerRecord<>(topic.name(), cluster, topic.valueSerde().serializer().serialize(topic.name(), value))).get();
        }
    }
}
