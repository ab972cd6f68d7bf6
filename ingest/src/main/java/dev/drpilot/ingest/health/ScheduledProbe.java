package dev.drpilot.ingest.health;

import dev.drpilot.events.ProbeKind;

import java.time.Duration;
import java.util.Optional;

/** A health check with its identity and timing, as the scheduler runs it. */
record ScheduledProbe(String name, ProbeKind kind, String component, Optional<String> cluster, Optional<String> node,
                      Duration interval, Duration timeout, HealthCheck check) {

    /** Observations are keyed like the other observations: by cluster, else by component. */
    String key() {
        return cluster.orElse(component);
    }
}
