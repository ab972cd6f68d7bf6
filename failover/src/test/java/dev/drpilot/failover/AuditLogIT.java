package dev.drpilot.failover;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The failover history on a real broker with garbage in it: an unreadable record stops the reads it could belong to (a
 * runbook must not resume on a history with a hole), and only those. A broker of its own: the garbage written here would
 * stop the other tests' cooldown reads, which read every cluster's records.
 */
class AuditLogIT {
    @TempDir
    static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.builder(dir.resolve("kafka")).port(0).build().start();
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void anUnreadableRecordStopsOnlyTheReadsItCouldBelongTo() throws Exception {
        Instant since = Instant.now().minusSeconds(60);
        try (AuditLog audit = new AuditLog(KafkaTestClients.producer(broker, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()),
                broker.clientProperties());
             KafkaProducer<byte[], byte[]> raw = KafkaTestClients.producer(broker, new ByteArraySerializer(), new ByteArraySerializer())) {
            audit.write(step("orders-20261202T030000Z", "orders", "check"));
            audit.write(step("billing-20261202T030000Z", "billing", "check"));
            byte[] garbage = "not an action record".getBytes(StandardCharsets.UTF_8);
            raw.send(new ProducerRecord<>(Topics.ACTIONS.name(), "billing-20261202T030000Z".getBytes(StandardCharsets.UTF_8), garbage)).get();
            audit.write(step("orders-20261202T030000Z", "orders", "fence"));

            // Keyed by another incident: orders' runbook resumes with its whole history.
            assertThat(audit.incident("orders-20261202T030000Z", since)).extracting(ActionRecord::getName).containsExactly("check", "fence");
            // Keyed by billing's incident: it could be billing's next step, so billing's history is not to be decided on.
            assertThatThrownBy(() -> audit.incident("billing-20261202T030000Z", since)).isInstanceOf(ReadIncompleteException.class)
                    .hasMessageContaining("unreadable record " + Topics.ACTIONS.name()).hasMessageContaining("key billing-20261202T030000Z");
            // A read over every cluster (the cooldown, failover history) cannot tell whose it is: it stays strict.
            assertThatThrownBy(() -> audit.read(since, record -> "orders".equals(record.getCluster())))
                    .isInstanceOf(ReadIncompleteException.class);

            // Without a key it could be anyone's.
            raw.send(new ProducerRecord<>(Topics.ACTIONS.name(), null, garbage)).get();
            assertThatThrownBy(() -> audit.incident("orders-20261202T030000Z", since)).isInstanceOf(ReadIncompleteException.class)
                    .hasMessageContaining("key null");
        }
    }

    private static ActionRecord step(String incident, String cluster, String name) {
        Instant now = Instant.now();
        return ActionRecord.newBuilder().setActionId(incident + "/" + name).setKind(ActionKind.FAILOVER_STEP).setName(name)
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId(incident).setCluster(cluster).setStartedAt(now).setFinishedAt(now)
                .setDetail("test").build();
    }
}
