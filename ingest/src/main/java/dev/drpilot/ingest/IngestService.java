package dev.drpilot.ingest;

import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The collectors' process: observes and publishes, never decides. Today it publishes its own
 * heartbeat; the replication, health and backup collectors join it here.
 */
public final class IngestService implements AutoCloseable {
    /** The topics this service writes. */
    public static final List<Topic<?, ?>> TOPICS = List.of(
            Topics.REPLICATION_OBSERVATIONS,
            Topics.BACKUP_OBSERVATIONS,
            Topics.HEALTH_OBSERVATIONS,
            Topics.COLLECTOR_HEARTBEATS,
            Topics.DEAD_LETTER);

    private final Producer<String, CollectorHeartbeat> heartbeatProducer;
    private final HeartbeatPublisher heartbeats;

    public IngestService(CollectorIdentity identity, Duration heartbeatInterval, Map<String, Object> kafkaClientProperties, Clock clock) {
        this.heartbeatProducer = new KafkaProducer<>(producerProperties(kafkaClientProperties, identity),
                Topics.COLLECTOR_HEARTBEATS.keySerde().serializer(), Topics.COLLECTOR_HEARTBEATS.valueSerde().serializer());
        this.heartbeats = new HeartbeatPublisher(identity, heartbeatInterval, List.of("heartbeat"), heartbeatProducer, clock);
    }

    public IngestService start() {
        heartbeats.start();
        return this;
    }

    @Override
    public void close() {
        heartbeats.close();
        heartbeatProducer.close(Duration.ofSeconds(10));
    }

    private static Map<String, Object> producerProperties(Map<String, Object> base, CollectorIdentity identity) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "drpilot-ingest-" + identity.collectorId());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // An observation that cannot reach Kafka for two minutes is stale anyway; the next one replaces it.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return props;
    }
}
