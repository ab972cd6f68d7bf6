package dev.drpilot.notify.metrics;

import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The alerts firing right now, as gauges: how many per rule and severity. Fed every alert, whatever
 * the routes say. (Replication lag itself comes from the observations, {@link PlantMetrics}: one
 * metric name, one meaning, whether or not an alert fires.)
 */
public final class FiringAlerts {
    private final Map<String, Alert> firing = new ConcurrentHashMap<>();
    // When each alert last resolved (the RESOLVED's emittedAt), until it fires again: whether a FIRING read elsewhere was
    // resolved after it, or this feed has simply not read that FIRING yet.
    private final Map<String, java.time.Instant> resolvedAt = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    public FiringAlerts(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("drpilot_alerts_firing")
                .help("Alerts firing now, by rule and severity").labelNames("rule", "severity")
                .callback(callback -> countByRuleAndSeverity().forEach((key, count) -> callback.call(count, key.rule(), key.severity())))
                .register(registry);
    }

    private record RuleSeverity(String rule, String severity) {
    }

    public void accept(Alert alert) {
        if (alert.getStatus() == AlertStatus.FIRING) {
            firing.put(alert.getFingerprint(), alert);
            resolvedAt.remove(alert.getFingerprint());
        } else {
            firing.remove(alert.getFingerprint());
            resolvedAt.put(alert.getFingerprint(), alert.getEmittedAt());
        }
    }

    /** When the alert last resolved, if its newest record read is a RESOLVED. */
    public java.util.Optional<java.time.Instant> resolvedAt(String fingerprint) {
        return java.util.Optional.ofNullable(resolvedAt.get(fingerprint));
    }

    public int size() {
        return firing.size();
    }

    /** The alerts firing now; meaningful once {@link #caughtUp()}. */
    public List<Alert> firing() {
        return List.copyOf(firing.values());
    }

    /** True once the whole topic as of start-up has been read: before, "not firing" may only mean "not read yet". */
    public boolean caughtUp() {
        return caughtUp;
    }

    void markCaughtUp() {
        caughtUp = true;
    }

    private Map<RuleSeverity, Double> countByRuleAndSeverity() {
        Map<RuleSeverity, Double> counts = new HashMap<>();
        for (Alert alert : firing.values()) {
            counts.merge(new RuleSeverity(alert.getRule(), alert.getSeverity().name().toLowerCase(Locale.ROOT)), 1.0, Double::sum);
        }
        return counts;
    }
}
