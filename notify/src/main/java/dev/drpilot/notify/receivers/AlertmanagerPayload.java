package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.events.Alert;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** One alert as Alertmanager's {@code POST /api/v2/alerts} takes it, with the labels routing trees expect. */
final class AlertmanagerPayload {
    private static final Pattern INVALID_LABEL_CHARS = Pattern.compile("[^a-zA-Z0-9_]");

    private AlertmanagerPayload() {
    }

    /** Prometheus' rule: a firing alert stays active for four resend intervals unless sent again. */
    static Instant firingEndsAt(Instant now, Duration resendInterval) {
        return now.plus(resendInterval.multipliedBy(4));
    }

    static ObjectNode of(ObjectMapper json, Alert alert, Instant endsAt) {
        ObjectNode node = json.createObjectNode();
        ObjectNode labels = node.putObject("labels");
        alert.getLabels().forEach((name, value) -> putLabel(labels, name, value));
        putLabel(labels, "alertname", alert.getLabels().getOrDefault("alertname", alert.getRule()));
        putLabel(labels, "rule", alert.getRule());
        putLabel(labels, "severity", alert.getSeverity().name().toLowerCase(Locale.ROOT));
        putLabel(labels, "component", alert.getComponent());
        putLabel(labels, "cluster", alert.getCluster());
        putLabel(labels, "node", alert.getNode());
        ObjectNode annotations = node.putObject("annotations");
        Map<String, String> given = alert.getAnnotations();
        given.forEach(annotations::put);
        annotations.put("summary", given.getOrDefault("summary", alert.getRule() + " on " + alert.getComponent()));
        annotations.put("description", given.getOrDefault("description", AlertText.valueLine(alert)));
        if (alert.getValue() != null) {
            annotations.put("value", AlertText.number(alert.getValue()) + AlertText.unitSuffix(alert));
        }
        if (alert.getThreshold() != null) {
            annotations.put("threshold", AlertText.number(alert.getThreshold()) + AlertText.unitSuffix(alert));
        }
        node.put("startsAt", alert.getStartsAt().toString());
        node.put("endsAt", endsAt.toString());
        String generator = given.get("generatorURL");
        if (generator != null && !generator.isBlank()) {
            node.put("generatorURL", generator);
        }
        return node;
    }

    // Alertmanager rejects the whole batch for one invalid label name, and treats an empty value as no label.
    private static void putLabel(ObjectNode labels, String name, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        String safe = INVALID_LABEL_CHARS.matcher(name).replaceAll("_");
        if (safe.isEmpty() || Character.isDigit(safe.charAt(0))) {
            safe = "_" + safe;
        }
        labels.put(safe, value);
    }
}
