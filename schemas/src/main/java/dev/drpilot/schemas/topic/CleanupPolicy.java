package dev.drpilot.schemas.topic;

/** Kafka's {@code cleanup.policy}. */
public enum CleanupPolicy {
    DELETE("delete"),
    COMPACT("compact"),
    COMPACT_DELETE("compact,delete");

    private final String kafkaValue;

    CleanupPolicy(String kafkaValue) {
        this.kafkaValue = kafkaValue;
    }

    public String kafkaValue() {
        return kafkaValue;
    }
}
