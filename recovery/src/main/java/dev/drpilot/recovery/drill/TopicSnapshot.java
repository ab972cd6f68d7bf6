package dev.drpilot.recovery.drill;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * A topic's records since a time, read once up to the end offsets captured when the read began (read_committed, no
 * consumer group). An end not reached in time fails the read; a record that cannot be read fails it or is left out, as
 * the caller says: a drill that cannot see whether an incident is open does not run.
 */
final class TopicSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSnapshot.class);
    private final Map<String, Object> consumerProperties;
    private final Duration timeout;

    TopicSnapshot(Map<String, Object> kafkaClientProperties, Duration timeout) {
        this.consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProperties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.timeout = timeout;
    }

    /** What a read does with a record it cannot deserialize. */
    enum Unreadable {
        /** Fail the read: a decision that cannot see every record does not decide. */
        FAIL,
        /** Leave it out: a wait for one record is not misled by another it cannot read. */
        SKIP
    }

    <V> List<V> read(String topic, Deserializer<V> values, Instant since, Unreadable unreadable) throws TimeoutException {
        Instant deadline = Instant.now().plus(timeout);
        List<V> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(partition -> times.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times, timeout);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            while (partitions.stream().anyMatch(partition -> consumer.position(partition, timeout) < ends.get(partition))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new TimeoutException(topic + " not read to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    V value;
                    try {
                        value = values.deserialize(record.topic(), record.headers(), record.value());
                    } catch (RuntimeException e) {
                        if (unreadable == Unreadable.FAIL) {
                            throw new IllegalStateException("unreadable record " + record.topic() + "-" + record.partition() + "@"
                                    + record.offset() + ": " + e.getMessage(), e);
                        }
                        LOG.debug("left out unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                        continue;
                    }
                    if (value != null) {
                        read.add(value);
                    }
                }
            }
        }
        return read;
    }
}
