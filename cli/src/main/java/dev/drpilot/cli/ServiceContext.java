package dev.drpilot.cli;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.runtime.WorkerHealth;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.util.Map;

/**
 * What a service is built from: the validated configuration and how to reach Kafka; and the process's
 * {@link WorkerHealth}, where a service adds the worker threads a liveness probe must see; and the process's Prometheus
 * registry, where each service puts its metrics (one {@code /metrics} per process serves them all).
 */
record ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, WorkerHealth health,
                      PrometheusRegistry metrics) {
    ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock) {
        this(config, kafkaClientProperties, clock, new WorkerHealth(), new PrometheusRegistry());
    }

    ServiceContext {
        kafkaClientProperties = Map.copyOf(kafkaClientProperties);
    }
}
