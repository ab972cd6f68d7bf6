package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.config.WebhookReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;
import dev.drpilot.notify.delivery.IdempotencyKey;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * POSTs each alert in Alertmanager's webhook format (version 4), so anything written for
 * Alertmanager webhooks takes drpilot's alerts as they are. The {@code Idempotency-Key} header
 * carries the alert's idempotency key, for endpoints that de-duplicate re-deliveries.
 */
final class WebhookSink implements AlertSink {
    /** What Alertmanager sends as endsAt of an alert still firing. */
    static final String NO_END = "0001-01-01T00:00:00Z";

    private final String receiver;
    private final URI endpoint;
    private final JsonHttp http;
    private final ObjectMapper json = new ObjectMapper();

    WebhookSink(WebhookReceiver receiver, Duration httpTimeout) {
        this.receiver = receiver.name();
        this.endpoint = URI.create(receiver.url());
        this.http = new JsonHttp(httpTimeout, receiver.http());
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        http.post(endpoint, payload(json, receiver, alert).toString(), Map.of("Idempotency-Key", IdempotencyKey.of(alert)));
    }

    static ObjectNode payload(ObjectMapper json, String receiver, Alert alert) {
        String status = alert.getStatus() == AlertStatus.RESOLVED ? "resolved" : "firing";
        ObjectNode amAlert = AlertmanagerPayload.of(json, alert, alert.getEndsAt() != null ? alert.getEndsAt() : Instant.EPOCH);
        if (alert.getEndsAt() == null) {
            amAlert.put("endsAt", NO_END);
        }
        if (!amAlert.has("generatorURL")) {
            amAlert.put("generatorURL", "");
        }
        amAlert.put("status", status);
        amAlert.put("fingerprint", alert.getFingerprint());
        ObjectNode body = json.createObjectNode();
        body.put("version", "4");
        String alertName = amAlert.path("labels").path("alertname").asText();
        body.put("groupKey", "{}:{alertname=\"" + alertName + "\", fingerprint=\"" + alert.getFingerprint() + "\"}");
        body.put("truncatedAlerts", 0);
        body.put("status", status);
        body.put("receiver", receiver);
        body.putObject("groupLabels").put("alertname", alertName);
        body.set("commonLabels", amAlert.get("labels").deepCopy());
        body.set("commonAnnotations", amAlert.get("annotations").deepCopy());
        body.put("externalURL", "");
        body.putArray("alerts").add(amAlert);
        return body;
    }
}
