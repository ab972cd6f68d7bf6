package dev.drpilot.notify.metrics;

import dev.drpilot.events.Alert;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How long an alert took from the observation that triggered it to the actuator reading it
 * (read_committed, so after the detector's transaction committed): the latency users see, as
 * {@code drpilot_alert_latency_seconds}. Only alerts that carry a {@code triggerTime} count: those
 * a clock raised (an age or absence check, a reminder) have no triggering observation.
 */
public final class AlertLatency {
    private final Histogram latency;
    private final Clock clock;

    public AlertLatency(PrometheusRegistry registry, Clock clock) {
        this.clock = clock;
        this.latency = Histogram.builder().name("drpilot_alert_latency_seconds")
                .help("From the observation that triggered an alert (its record's timestamp) to the actuator reading the alert")
                .labelNames("rule", "severity").classicOnly()
                // The target is 150 ms at p99: fine buckets around it, coarse ones up to a minute for a detector that lags.
                .classicUpperBounds(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60)
                .register(registry);
    }

    /** Observes one alert read now; one without a trigger time is not counted. */
    public void read(Alert alert) {
        Instant trigger = alert.getTriggerTime();
        if (trigger == null) {
            return;
        }
        // The trigger time is the collector's clock, the read time ours: a skew that puts the trigger in the future counts as 0.
        double seconds = Math.max(0, Duration.between(trigger, clock.instant()).toNanos()) / 1e9;
        latency.labelValues(alert.getRule(), alert.getSeverity().name().toLowerCase(Locale.ROOT)).observe(seconds);
    }
}
