package dev.drpilot.detector.alert;

import dev.drpilot.events.Alert;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Builds the {@link Alert} record for a transition, with the labels every sink relies on. */
public final class Alerts {
    private Alerts() {
    }

    /**
     * @param alertName Prometheus-style name, e.g. {@code ReplicationLag}
     * @param identity  identifying labels besides rule and alertname (component, cluster, node ...)
     */
    public static Alert of(String rule, String alertName, AlertLifecycle.Transition transition, Map<String, String> identity,
                           String summary, String description, Double value, Double threshold, String unit, Instant emittedAt) {
        Map<String, String> labels = new LinkedHashMap<>(identity);
        labels.put("alertname", alertName);
        labels.put("rule", rule);
        labels.put("severity", transition.severity().name().toLowerCase(Locale.ROOT));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", summary);
        annotations.put("description", description);
        return Alert.newBuilder()
                .setFingerprint(fingerprint(rule, identity))
                .setRule(rule)
                .setStatus(transition.status())
                .setSeverity(transition.severity())
                .setComponent(identity.getOrDefault("component", ""))
                .setCluster(identity.get("cluster"))
                .setNode(identity.get("node"))
                .setLabels(labels)
                .setAnnotations(annotations)
                .setValue(value)
                .setThreshold(threshold)
                .setUnit(unit)
                .setStartsAt(transition.startsAt())
                .setEndsAt(transition.endsAt())
                .setEmittedAt(emittedAt)
                .build();
    }

    /** Rule plus the identifying labels in a fixed order: stable across restarts and versions. */
    public static String fingerprint(String rule, Map<String, String> identity) {
        StringBuilder fingerprint = new StringBuilder(rule);
        identity.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> fingerprint.append('/').append(entry.getKey()).append('=').append(entry.getValue()));
        return fingerprint.toString();
    }
}
