package dev.drpilot.notify;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.notify.delivery.RetryPolicy;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The actuator's topics for one test on the shared broker: its own alerts, actions and dead-letter
 * topics and its own consumer groups, so tests never see each other's records.
 */
public record NotifyKafka(EmbeddedKafkaBroker broker, String alerts, String actions, String deadLetter, String replication, String backup,
                            String health, String leases, String groupPrefix) {

    public static NotifyKafka create(EmbeddedKafkaBroker broker) throws Exception {
        NotifyKafka kafka = new NotifyKafka(broker, TestNames.unique("it-alerts"), TestNames.unique("it-actions"),
                TestNames.unique("it-deadletter"), TestNames.unique("it-replication"), TestNames.unique("it-backup"),
                TestNames.unique("it-health"), TestNames.unique("it-leases"), TestNames.unique("it-receiver") + "-");
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(kafka.alerts, 3, (short) 1), new NewTopic(kafka.actions, 1, (short) 1),
                    new NewTopic(kafka.deadLetter, 1, (short) 1), new NewTopic(kafka.replication, 3, (short) 1),
                    new NewTopic(kafka.backup, 2, (short) 1), new NewTopic(kafka.health, 2, (short) 1),
                    new NewTopic(kafka.leases, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return kafka;
    }

    /** Fast retries for tests, the metrics endpoint off unless a test turns it on. */
    public NotifyOptions options() {
        return NotifyOptions.defaults().withMetrics("127.0.0.1", -1).withTopics(alerts, actions, deadLetter)
                .withObservationTopics(replication, backup).withTopologyTopics(health, leases).withGroupIdPrefix(groupPrefix)
                .withRetryPolicy(new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMinutes(2)))
                .withHttpTimeout(Duration.ofSeconds(5));
    }

    /** Writes alerts keyed by fingerprint, as the detector does. */
    public void send(Alert... alerts) throws Exception {
        try (KafkaProducer<String, Alert> producer = KafkaTestClients.producer(broker, new StringSerializer(), Topics.ALERTS.valueSerde().serializer())) {
            for (Alert alert : alerts) {
                producer.send(new ProducerRecord<>(this.alerts, alert.getFingerprint(), alert)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes replication observations keyed by cluster, as the collectors do. */
    public void sendReplication(ReplicationObservation... observations) throws Exception {
        try (KafkaProducer<String, ReplicationObservation> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer())) {
            for (ReplicationObservation observation : observations) {
                producer.send(new ProducerRecord<>(replication, observation.getCluster(), observation)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes backup observations keyed by cluster, as the collectors do. */
    public void sendBackup(BackupObservation... observations) throws Exception {
        try (KafkaProducer<String, BackupObservation> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.BACKUP_OBSERVATIONS.valueSerde().serializer())) {
            for (BackupObservation observation : observations) {
                producer.send(new ProducerRecord<>(backup, observation.getCluster(), observation)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes health observations keyed by cluster, as the probes and agents do. */
    public void sendHealth(HealthObservation... observations) throws Exception {
        try (KafkaProducer<String, HealthObservation> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.HEALTH_OBSERVATIONS.valueSerde().serializer())) {
            for (HealthObservation observation : observations) {
                producer.send(new ProducerRecord<>(health, observation.getCluster(), observation)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes a lease keyed by cluster, as an agent does. */
    public void sendLease(AgentLease lease) throws Exception {
        try (KafkaProducer<String, AgentLease> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.AGENT_LEASES.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(leases, lease.getCluster(), lease)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Writes action records keyed by incident, as the runbook executor does. */
    public void sendAction(ActionRecord... records) throws Exception {
        try (KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.ACTIONS.valueSerde().serializer())) {
            for (ActionRecord record : records) {
                producer.send(new ProducerRecord<>(actions, record.getIncidentId(), record)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes bytes to {@code topic} that are no event at all, as a broken or foreign producer might. */
    public void sendRaw(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Writes bytes that are not an alert, as a broken or foreign producer might. */
    public void sendRaw(String key, byte[] value) throws Exception {
        sendRaw(alerts, key, value);
    }

    public List<ConsumerRecord<byte[], byte[]>> deadLetters() {
        return KafkaTestClients.read(broker, deadLetter, Integer.MAX_VALUE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Duration.ofSeconds(1));
    }

    public List<ActionRecord> actionRecords() {
        return KafkaTestClients.read(broker, actions, Integer.MAX_VALUE, new StringDeserializer(), Topics.ACTIONS.valueSerde().deserializer(),
                Duration.ofSeconds(1)).stream().map(ConsumerRecord::value).toList();
    }
}
