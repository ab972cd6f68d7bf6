package dev.drpilot.cli;

import dev.drpilot.config.DrpilotConfig;

import java.time.Clock;
import java.util.Map;

/** What a service is built from: the validated configuration and how to reach Kafka. */
record ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock) {
    ServiceContext {
        kafkaClientProperties = Map.copyOf(kafkaClientProperties);
    }
}
