package dev.drpilot.notify.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/** What the receivers' workers count: deliveries, retries, failures and how long alerts took to arrive. */
public final class DeliveryMetrics {
    private final Counter delivered;
    private final Counter retries;
    private final Counter failures;
    private final Counter suppressed;
    private final Counter unreadable;
    private final Counter silenced;
    private final Histogram latency;

    public DeliveryMetrics(PrometheusRegistry registry) {
        delivered = Counter.builder().name("drpilot_alert_deliveries_total")
                .help("Alerts a receiver accepted").labelNames("receiver").register(registry);
        retries = Counter.builder().name("drpilot_alert_delivery_retries_total")
                .help("Retries after a retriable delivery failure (network, 429, 5xx)").labelNames("receiver").register(registry);
        failures = Counter.builder().name("drpilot_alert_delivery_failures_total")
                .help("Deliveries that finally failed and were recorded on drpilot.actions; reason rejected (fatal) or retries_exhausted")
                .labelNames("receiver", "reason").register(registry);
        suppressed = Counter.builder().name("drpilot_alert_notifications_suppressed_total")
                .help("Re-emitted FIRING alerts not sent again within the re-notify interval").labelNames("receiver").register(registry);
        unreadable = Counter.builder().name("drpilot_alert_records_unreadable_total")
                .help("Alert records that could not be read, sent to drpilot.deadletter").labelNames("receiver").register(registry);
        silenced = Counter.builder().name("drpilot_alert_notifications_silenced_total")
                .help("Notifications held back: a FIRING while a silence, maintenance window or inhibition matched it (counted once per"
                        + " record), a RESOLVED whose FIRING was never delivered; by silence, maintenance or inhibition")
                .labelNames("receiver", "by").register(registry);
        latency = Histogram.builder().name("drpilot_alert_delivery_latency_seconds")
                .help("From the detector emitting an alert to a receiver accepting it")
                .labelNames("receiver").classicOnly()
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
                .register(registry);
    }

    public void delivered(String receiver, Duration sinceEmitted) {
        delivered.labelValues(receiver).inc();
        latency.labelValues(receiver).observe(Math.max(0, sinceEmitted.toNanos()) / 1e9);
    }

    public void retried(String receiver) {
        retries.labelValues(receiver).inc();
    }

    public void failed(String receiver, String reason) {
        failures.labelValues(receiver, reason).inc();
    }

    public void suppressed(String receiver) {
        suppressed.labelValues(receiver).inc();
    }

    /** @param by {@code silence}, {@code maintenance} or {@code inhibition} */
    public void silenced(String receiver, String by) {
        silenced.labelValues(receiver, by).inc();
    }

    public void unreadable(String receiver) {
        unreadable.labelValues(receiver).inc();
    }
}
