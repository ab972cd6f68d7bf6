package dev.drpilot.agent;

import dev.drpilot.schemas.topic.Topic;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * The agent's one producer, for its lease and its observations: acks=all and idempotent (a renewal counts only once
 * every in-sync replica has it, and retries neither duplicate nor reorder it). A send never blocks longer than the
 * renew interval when the cluster is unreachable, and a record is given up after twice the lease TTL.
 */
final class AgentPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    AgentPublisher(Map<String, Object> kafkaClientProperties, String clientId, Duration renewInterval, Duration ttl) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) renewInterval.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ttl.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ttl.multipliedBy(2).toMillis());
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value, Callback callback) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        return producer.send(new ProducerRecord<>(topic.name(), key, bytes), callback);
    }

    /** The producer itself, for the command loop's replies (closed with this). */
    KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
