package dev.drpilot.failover;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The failover's record on {@code drpilot.actions}: written before and after every step
 * (acks=all, waited for, so nothing is done that is not recorded), and read back — the runbook of
 * an incident resumes from what it recorded, and the cooldown looks at the cluster's recent
 * failovers. A read goes up to the end offsets captured when it began, or fails ({@link ReadIncompleteException}):
 * never a decision on part of the history.
 */
public final class AuditLog implements ActionWriter, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    /** The most one read of the history may take before it fails (and the command waiting on it is refused for now). */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, ActionRecord> producer;
    private final Map<String, Object> consumerProperties;

    public AuditLog(Producer<String, ActionRecord> producer, Map<String, Object> kafkaClientProperties) {
        this.producer = producer;
        this.consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    /** Writes one record and waits for Kafka to have it; an exception means it is not recorded. */
    @Override
    public void write(ActionRecord record) throws AuditException {
        String key = record.getIncidentId() == null ? record.getCluster() : record.getIncidentId();
        try {
            producer.send(new ProducerRecord<>(Topics.ACTIONS.name(), key, record)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditException("interrupted while recording " + record.getActionId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AuditException("could not record " + record.getActionId() + " on " + Topics.ACTIONS.name() + ": " + e, e);
        }
    }

    /**
     * The records of one incident written since {@code since}, in the order written, up to the end when the read began.
     * An unreadable record fails the read only when it could be one of this incident's: keyed by its id, or without a key.
     * Every writer of {@code drpilot.actions} keys a record by its incident id when it has one (this class,
     * {@link ClusterRecorder}, the operators' controls, the drills, the alert deliveries), so a record keyed otherwise is
     * another incident's or a cluster's: one garbage record must not stop every runbook from resuming.
     */
    public List<ActionRecord> incident(String incidentId, Instant since) throws ReadIncompleteException {
        return read(consumerProperties, since, record -> incidentId.equals(record.getIncidentId()),
                key -> key == null || key.equals(incidentId));
    }

    /** Every record written since {@code since} that matches, up to the end when the read began; all of them, or an exception. */
    public List<ActionRecord> read(Instant since, Predicate<ActionRecord> filter) throws ReadIncompleteException {
        return read(consumerProperties, since, filter);
    }

    /**
     * Reads the audit topic without writing to it (e.g. {@code drpilot failover history}): every record written since
     * {@code since} that matches, up to the end offsets when the read began.
     *
     * @throws ReadIncompleteException the topic could not be read to that end within {@link #READ_TIMEOUT}, or one of its
     *                                 records could not be read: a history with a gap is no history to decide on
     */
    public static List<ActionRecord> read(Map<String, Object> kafkaClientProperties, Instant since, Predicate<ActionRecord> filter)
            throws ReadIncompleteException {
        return read(kafkaClientProperties, since, filter, key -> true);
    }

    /**
     * As {@link #read(Map, Instant, Predicate)}, but an unreadable record whose key {@code mayMatter} rejects is skipped
     * (logged; the actuator's other readers dead-letter and count it) instead of failing the read.
     */
    static List<ActionRecord> read(Map<String, Object> kafkaClientProperties, Instant since, Predicate<ActionRecord> filter,
                                   Predicate<String> mayMatter) throws ReadIncompleteException {
        Map<String, Object> consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Deserializer<ActionRecord> actions = Topics.ACTIONS.valueSerde().deserializer();
        List<ActionRecord> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            new TopicReader(READ_TIMEOUT).read(consumer, Topics.ACTIONS.name(), since(since), record -> {
                ActionRecord action;
                try {
                    action = actions.deserialize(record.topic(), record.headers(), record.value());
                } catch (RuntimeException e) {
                    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    if (mayMatter.test(key)) {
                        throw new ReadIncompleteException("unreadable record " + record.topic() + "-" + record.partition() + "@"
                                + record.offset() + " (key " + key + ") in the history: " + e, e);
                    }
                    log.warn("history read skips an unreadable record {}-{}@{} keyed {}, which is not what it looks for: {}", record.topic(),
                            record.partition(), record.offset(), key, e.toString());
                    return;
                }
                if (action != null && filter.test(action)) {
                    found.add(action);
                }
            });
        } catch (AuditLog.AuditException e) {
            throw new IllegalStateException("reading the history writes nothing", e);
        }
        return found;
    }

    /** Each partition from its first record at or after {@code since}, or from its end when it has none that recent. */
    private static TopicReader.Starts since(Instant since) {
        return (consumer, partitions, ends) -> {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(query, READ_TIMEOUT);
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = byTime.get(partition);
                starts.put(partition, start == null ? ends.get(partition) : start.offset());
            }
            return starts;
        };
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** Kafka did not take a record: retriable — the runbook is resumed from its records later. */
    public static class AuditException extends Exception {
        AuditException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
