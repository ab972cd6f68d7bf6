package dev.drpilot.testkit;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Plain producers and consumers on the shared test broker. */
public final class KafkaTestClients {
    private KafkaTestClients() {
    }

    public static <K, V> KafkaProducer<K, V> producer(EmbeddedKafkaBroker broker, Serializer<K> keys, Serializer<V> values) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props, keys, values);
    }

    /** A consumer in a group of its own that starts from the beginning of the topic. */
    public static <K, V> KafkaConsumer<K, V> consumer(EmbeddedKafkaBroker broker, Deserializer<K> keys, Deserializer<V> values) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, TestNames.unique("test-reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, keys, values);
    }

    /**
     * Reads {@code topic} from the start until {@code count} records arrived or the timeout
     * passed, and returns what it got; the caller asserts on it. The consumer is assigned every
     * partition rather than joining a group: a group join costs seconds on a loaded machine, and
     * tests that look again and again (inside an await) would spend most of their time joining.
     */
    public static <K, V> List<ConsumerRecord<K, V>> read(EmbeddedKafkaBroker broker, String topic, int count,
                                                         Deserializer<K> keys, Deserializer<V> values, Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = consumer(broker, keys, values)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> partitions = partitions(consumer, topic, deadline);
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Reads what {@code topic} got since {@code since} (record timestamps), up to the end offsets when the read began, or
     * until the timeout passed. For tests that look again and again at a topic other tests of the JVM also fill: a read
     * from the beginning, cut off by its timeout, may never reach the newest records.
     */
    public static <K, V> List<ConsumerRecord<K, V>> readSince(EmbeddedKafkaBroker broker, String topic, Instant since,
                                                              Deserializer<K> keys, Deserializer<V> values, Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = consumer(broker, keys, values)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> partitions = partitions(consumer, topic, deadline);
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** The topic's partitions, looked up until it exists (auto-created or made by the code under test) or the deadline passed. */
    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, long deadline) {
        List<TopicPartition> partitions = List.of();
        while (partitions.isEmpty() && System.nanoTime() < deadline) {
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofMillis(500)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
            } catch (TimeoutException e) {
                partitions = List.of();   // no metadata yet: look again until the caller's deadline
            }
        }
        return partitions;
    }
}
