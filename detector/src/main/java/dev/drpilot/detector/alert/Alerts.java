package dev.drpilot.detector.alert;

import dev.drpilot.events.Alert;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Builds the {@link Alert} record for a transition, with the labels every sink relies on. */
public final class Alerts {
    private Alerts() {
    }

    public static Alert of(AlertDraft draft, AlertLifecycle.Transition transition, Optional<String> runbookUrl, Instant emittedAt) {
        Map<String, String> identity = draft.identity();
        Map<String, String> labels = new LinkedHashMap<>(identity);
        labels.put("alertname", draft.alertName());
        labels.put("rule", draft.rule());
        labels.put("severity", transition.severity().name().toLowerCase(Locale.ROOT));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", draft.summary());
        annotations.put("description", draft.description());
        runbookUrl.ifPresent(url -> annotations.put("runbook_url", url));
        return Alert.newBuilder()
                .setFingerprint(fingerprint(draft.rule(), identity))
                .setRule(draft.rule())
                .setStatus(transition.status())
                .setSeverity(transition.severity())
                .setComponent(identity.getOrDefault("component", ""))
                .setCluster(identity.get("cluster"))
                .setNode(identity.get("node"))
                .setLabels(labels)
                .setAnnotations(annotations)
                .setValue(draft.value())
                .setThreshold(draft.threshold())
                .setUnit(draft.unit())
                .setStartsAt(transition.startsAt())
                .setEndsAt(transition.endsAt())
                .setEmittedAt(emittedAt)
                .setIncidentId(draft.incidentId())
                .build();
    }

    /** Rule plus the identifying labels in a fixed order: stable across restarts and versions. Null labels are left out. */
    public static String fingerprint(String rule, Map<String, String> identity) {
        // Made for every observation a rule reads, healthy or not (4.5 % of the stream thread with a stream and a sort
        // here): so a plain insertion sort of the few labels. The text must never change: alerts are keyed by it.
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] labels = new Map.Entry[identity.size()];
        int count = 0;
        for (Map.Entry<String, String> entry : identity.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            int at = count++;
            while (at > 0 && labels[at - 1].getKey().compareTo(entry.getKey()) > 0) {
                labels[at] = labels[at - 1];
                at--;
            }
            labels[at] = entry;
        }
        StringBuilder fingerprint = new StringBuilder(rule.length() + 16 * count).append(rule);
        for (int i = 0; i < count; i++) {
            fingerprint.append('/').append(labels[i].getKey()).append('=').append(labels[i].getValue());
        }
        return fingerprint.toString();
    }

    /** Identity labels in the order given, nulls left out (an alert about a component has no node). */
    public static Map<String, String> identity(String... keysAndValues) {
        Map<String, String> identity = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                identity.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return identity;
    }
}
