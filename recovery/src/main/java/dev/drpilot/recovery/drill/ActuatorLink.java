package dev.drpilot.recovery.drill;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A drill's Kafka: the failover commands it sends the actuator, the audit trail it writes its own records to and reads
 * the actuator's from, and the alerts it reads for open incidents. Every write waits for the brokers' acknowledgement.
 */
public final class ActuatorLink implements DrillAudit, AutoCloseable {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, FailoverCommand> commands;
    private final Producer<String, ActionRecord> actions;
    private final TopicSnapshot snapshot;

    public ActuatorLink(Map<String, Object> kafkaClientProperties, String clientId) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-commands");
        this.commands = new KafkaProducer<>(props, new StringSerializer(), Topics.FAILOVER_COMMANDS.valueSerde().serializer());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-actions");
        this.actions = new KafkaProducer<>(props, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer());
        this.snapshot = new TopicSnapshot(kafkaClientProperties, Duration.ofSeconds(30));
    }

    /** Keyed by cluster, as every failover command is: one cluster's commands are carried out in order. */
    void send(FailoverCommand command) throws Exception {
        commands.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), command.getCluster(), command))
                .get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Keyed by the drill run's id, as the actuator keys a failover's records by its incident. */
    @Override
    public void write(ActionRecord record) throws Exception {
        String key = record.getIncidentId() == null ? record.getCluster() : record.getIncidentId();
        actions.send(new ProducerRecord<>(Topics.ACTIONS.name(), key, record)).get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    List<ActionRecord> actions(Instant since, TopicSnapshot.Unreadable unreadable) throws TimeoutException {
        return snapshot.read(Topics.ACTIONS.name(), Topics.ACTIONS.valueSerde().deserializer(), since, unreadable);
    }

    List<Alert> alerts(Instant since) throws TimeoutException {
        return snapshot.read(Topics.ALERTS.name(), Topics.ALERTS.valueSerde().deserializer(), since, TopicSnapshot.Unreadable.FAIL);
    }

    @Override
    public void close() {
        commands.close(Duration.ofSeconds(10));
        actions.close(Duration.ofSeconds(10));
    }
}
