package dev.drpilot.cli;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.runtime.WorkerHealth;

import java.time.Clock;
import java.util.Map;

/**
 * What a service is built from: the validated configuration and how to reach Kafka; and the process's
 * {@link WorkerHealth}, where a service adds the worker threads a liveness probe must see.
 */
record ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, WorkerHealth health) {
    ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock) {
        this(config, kafkaClientProperties, clock, new WorkerHealth());
    }

    ServiceContext {
        kafkaClientProperties = Map.copyOf(kafkaClientProperties);
    }
}
