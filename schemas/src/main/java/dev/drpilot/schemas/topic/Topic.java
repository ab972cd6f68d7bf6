package dev.drpilot.schemas.topic;

import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

import java.util.Map;
import java.util.Objects;

/**
 * A Kafka topic with the types of its keys and values: producers, consumers and topologies take
 * their serdes from here, so a topic is never read with the wrong types.
 *
 * @param defaultPartitions partitions when the configuration does not say otherwise
 * @param configs           topic configs besides the cleanup policy (retention, ...)
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, int defaultPartitions,
                          CleanupPolicy cleanupPolicy, Map<String, String> configs) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": defaultPartitions must be at least 1");
        }
        configs = Map.copyOf(configs);
    }

    /** Every topic config to create the topic with, the cleanup policy included. */
    public Map<String, String> topicConfigs() {
        Map<String, String> all = new TreeMap<>(configs);
        all.put("cleanup.policy", cleanupPolicy.kafkaValue());
        return all;
    }

    @Override
    public String toString() {
        return name;
    }
}
