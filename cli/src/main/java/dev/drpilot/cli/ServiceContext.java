package dev.drpilot.cli;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.runtime.WorkerHealth;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What a service is built from: the validated configuration and how to reach Kafka; and the process's
 * {@link WorkerHealth}, where a service adds the worker threads a liveness probe must see; and the process's Prometheus
 * registry, where each service puts its metrics (one {@code /metrics} per process serves them all).
 */
record ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, WorkerHealth health,
                      PrometheusRegistry metrics, Optional<Path> embeddedBrokerDir) {
    ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock) {
        this(config, kafkaClientProperties, clock, Optional.empty());
    }

    /** @param embeddedBrokerDir the embedded broker's state directory, when the process runs one (the detectors keep theirs beside it) */
    ServiceContext(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, Optional<Path> embeddedBrokerDir) {
        this(config, kafkaClientProperties, clock, new WorkerHealth(), new PrometheusRegistry(), embeddedBrokerDir);
    }

    /** Where the detectors keep their Kafka Streams state: {@code detector.stateDir}, else a stable default (see DetectorSettings). */
    Path detectorStateDir() {
        return config.detector().stateDir(embeddedBrokerDir);
    }

    ServiceContext {
        kafkaClientProperties = Map.copyOf(kafkaClientProperties);
    }
}
