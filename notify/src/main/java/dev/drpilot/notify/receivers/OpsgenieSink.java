package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.config.OpsgenieReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Opsgenie's Alert API v2. FIRING creates an alert whose alias is the fingerprint — Opsgenie folds a create with the alias
 * of an open alert into it (a re-delivery only counts up), so at-least-once delivery opens one alert; RESOLVED closes it by
 * that alias. Both answer 202 (processed asynchronously); 429 and 5xx are retried, 4xx (a bad key, a field too long)
 * recorded.
 */
final class OpsgenieSink implements AlertSink {
    // Opsgenie's limits: message 130 characters, alias 512, description 15000, a tag 50.
    static final int MAX_MESSAGE = 130;
    static final int MAX_ALIAS = 512;
    static final int MAX_DESCRIPTION = 15_000;
    static final int MAX_TAG = 50;

    private final OpsgenieReceiver receiver;
    private final JsonHttp http;
    private final ObjectMapper json = new ObjectMapper();

    OpsgenieSink(OpsgenieReceiver receiver, Duration httpTimeout) {
        this.receiver = receiver;
        this.http = new JsonHttp(httpTimeout);
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        Map<String, String> headers = Map.of("Authorization", "GenieKey " + receiver.apiKey().reveal());
        String alias = SlackMessage.truncate(alert.getFingerprint(), MAX_ALIAS);
        if (alert.getStatus() == AlertStatus.RESOLVED) {
            ObjectNode close = json.createObjectNode().put("source", "drpilot").put("user", "drpilot")
                    .put("note", "resolved" + (alert.getEndsAt() != null ? " at " + alert.getEndsAt() : ""));
            http.post(URI.create(receiver.url() + "/v2/alerts/" + URLEncoder.encode(alias, StandardCharsets.UTF_8).replace("+", "%20")
                    + "/close?identifierType=alias"), close.toString(), headers);
            return;
        }
        http.post(URI.create(receiver.url() + "/v2/alerts"), create(alert, alias).toString(), headers);
    }

    ObjectNode create(Alert alert, String alias) {
        ObjectNode body = json.createObjectNode();
        body.put("message", SlackMessage.truncate(AlertText.summary(alert), MAX_MESSAGE));
        body.put("alias", alias);
        StringBuilder description = new StringBuilder(AlertText.summary(alert));
        String text = alert.getAnnotations().get("description");
        if (text != null && !text.isBlank()) {
            description.append("\n\n").append(text);
        }
        String value = AlertText.valueLine(alert);
        if (!value.isEmpty()) {
            description.append("\n").append(value);
        }
        body.put("description", SlackMessage.truncate(description.toString(), MAX_DESCRIPTION));
        body.put("priority", switch (alert.getSeverity()) {
            case CRITICAL -> "P1";
            case WARNING -> "P3";
            default -> "P5";
        });
        body.put("source", "drpilot");
        body.put("entity", AlertText.source(alert));
        ArrayNode tags = body.putArray("tags");
        tags.add(SlackMessage.truncate(alert.getRule(), MAX_TAG));
        tags.add(SlackMessage.truncate("component:" + alert.getComponent(), MAX_TAG));
        if (alert.getCluster() != null) {
            tags.add(SlackMessage.truncate("cluster:" + alert.getCluster(), MAX_TAG));
        }
        ObjectNode details = body.putObject("details");
        new TreeMap<>(alert.getLabels()).forEach(details::put);
        details.put("firing_since", alert.getStartsAt().toString());
        if (alert.getIncidentId() != null) {
            details.put("incident_id", alert.getIncidentId());
        }
        String runbook = alert.getAnnotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            details.put("runbook_url", runbook);
        }
        if (!receiver.responders().isEmpty()) {
            ArrayNode responders = body.putArray("responders");
            receiver.responders().forEach(team -> responders.addObject().put("type", "team").put("name", team));
        }
        return body;
    }
}
