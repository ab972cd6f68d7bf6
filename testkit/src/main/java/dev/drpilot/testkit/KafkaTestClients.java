package dev.drpilot.testkit;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
     * passed, and returns what it got; the caller asserts on it.
     */
    public static <K, V> List<ConsumerRecord<K, V>> read(EmbeddedKafkaBroker broker, String topic, int count,
                                                         Deserializer<K> keys, Deserializer<V> values, Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = consumer(broker, keys, values)) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }
}
