package dev.drpilot.failover;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

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
 * failovers.
 */
public final class AuditLog implements AutoCloseable {
    private final Producer<String, ActionRecord> producer;
    private final Map<String, Object> consumerProperties;

    public AuditLog(Producer<String, ActionRecord> producer, Map<String, Object> kafkaClientProperties) {
        this.producer = producer;
        this.consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    /** Writes one record and waits for Kafka to have it; an exception means it is not recorded. */
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

    /** The records of one incident written since {@code since}, in the order written. */
    public List<ActionRecord> incident(String incidentId, Instant since) {
        return read(since, record -> incidentId.equals(record.getIncidentId()));
    }

    /** Every record written since {@code since} that matches. */
    public List<ActionRecord> read(Instant since, Predicate<ActionRecord> filter) {
        return read(consumerProperties, since, filter);
    }

    /** Reads the audit topic without writing to it (e.g. {@code drpilot failover history}). */
    public static List<ActionRecord> read(Map<String, Object> kafkaClientProperties, Instant since, Predicate<ActionRecord> filter) {
        Map<String, Object> consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ActionRecord> found = new ArrayList<>();
        try (KafkaConsumer<String, ActionRecord> consumer = new KafkaConsumer<>(consumerProperties,
                Topics.ACTIONS.keySerde().deserializer(), Topics.ACTIONS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ACTIONS.name(), Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!reachedEnd(consumer, partitions, ends) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ActionRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && filter.test(record.value())) {
                        found.add(record.value());
                    }
                }
            }
        }
        return found;
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> ends) {
        return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** Kafka did not take a record: retriable — the runbook is resumed from its records later. */
    public static final class AuditException extends Exception {
        AuditException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
