package dev.drpilot.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where Kafka is. Without {@code bootstrapServers}, {@code drpilot run} starts an embedded broker.
 *
 * @param properties extra Kafka client properties (security settings ...), {@code ${ENV}} resolved
 */
public record KafkaSettings(
        Optional<String> bootstrapServers,
        Embedded embedded,
        int partitions,
        Optional<Short> replicationFactor,
        Map<String, String> properties) {

    public KafkaSettings {
        properties = Map.copyOf(properties);
    }

    /** The embedded broker's settings. */
    public record Embedded(Path stateDir, int port) {
    }

    /** The client properties as they may be shown: values of credential-like keys masked. */
    public Map<String, String> maskedProperties() {
        Map<String, String> masked = new TreeMap<>();
        properties.forEach((key, value) -> masked.put(key, isSensitive(key) ? "******" : value));
        return masked;
    }

    static boolean isSensitive(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("jaas")
                || lower.contains("token") || lower.contains("key");
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", embedded=" + embedded + ", partitions=" + partitions
                + ", replicationFactor=" + replicationFactor + ", properties=" + maskedProperties() + "]";
    }
}
