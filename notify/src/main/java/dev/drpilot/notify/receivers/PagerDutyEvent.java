package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/** An alert as a PagerDuty Events API v2 event: {@code trigger} while firing, {@code resolve} once resolved. */
final class PagerDutyEvent {
    static final int MAX_SUMMARY = 1024;
    static final int MAX_DEDUP_KEY = 255;

    private PagerDutyEvent() {
    }

    static ObjectNode of(ObjectMapper json, Alert alert, String routingKey) {
        ObjectNode event = json.createObjectNode();
        event.put("routing_key", routingKey);
        event.put("dedup_key", dedupKey(alert.getFingerprint()));
        if (alert.getStatus() == AlertStatus.RESOLVED) {
            event.put("event_action", "resolve");
            return event;
        }
        event.put("event_action", "trigger");
        event.put("client", "drpilot");
        ObjectNode payload = event.putObject("payload");
        payload.put("summary", truncate(AlertText.summary(alert), MAX_SUMMARY));
        payload.put("source", AlertText.source(alert));
        payload.put("severity", severity(alert));
        payload.put("timestamp", alert.getStartsAt().toString());
        payload.put("component", alert.getComponent());
        payload.put("group", alert.getCluster() != null ? alert.getCluster() : alert.getComponent());
        payload.put("class", alert.getRule());
        ObjectNode details = payload.putObject("custom_details");
        new TreeMap<>(alert.getLabels()).forEach(details::put);
        String description = alert.getAnnotations().get("description");
        if (description != null) {
            details.put("description", description);
        }
        if (alert.getValue() != null) {
            details.put("value", alert.getValue());
        }
        if (alert.getThreshold() != null) {
            details.put("threshold", alert.getThreshold());
        }
        if (alert.getUnit() != null) {
            details.put("unit", alert.getUnit());
        }
        details.put("firing_since", alert.getStartsAt().toString());
        if (alert.getIncidentId() != null) {
            details.put("incident_id", alert.getIncidentId());
        }
        String runbook = alert.getAnnotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            event.putArray("links").addObject().put("href", runbook).put("text", "Runbook");
        }
        return event;
    }

    /** PagerDuty knows critical, error, warning and info; an alert of unknown severity pages as an error. */
    static String severity(Alert alert) {
        return switch (alert.getSeverity()) {
            case CRITICAL -> "critical";
            case WARNING -> "warning";
            case INFO -> "info";
            default -> "error";
        };
    }

    /** The fingerprint itself, or its SHA-256 when it is longer than PagerDuty allows: stable either way. */
    static String dedupKey(String fingerprint) {
        if (fingerprint.length() <= MAX_DEDUP_KEY) {
            return fingerprint;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max - 3) + "...";
    }
}
