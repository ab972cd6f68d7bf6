package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AlertmanagerPayloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void carriesTheLabelsAndAnnotationsAlertmanagerRoutesOn() {
        Alert alert = TestAlerts.firing("orders", Severity.WARNING).build();
        Instant now = Instant.parse("2026-11-24T03:05:00Z");
        JsonNode node = AlertmanagerPayload.of(JSON, alert, AlertmanagerPayload.firingEndsAt(now, Duration.ofMinutes(1)));
        assertThat(node.get("labels")).isEqualTo(JSON.valueToTree(Map.of("alertname", "ReplicationLag", "rule", "replication-lag",
                "severity", "warning", "component", "orders-db", "cluster", "orders", "node", "pg-2")));
        assertThat(node.at("/annotations/summary").asText()).isEqualTo("Replica pg-2 of orders is 95 s behind");
        assertThat(node.at("/annotations/runbook_url").asText()).isEqualTo("https://runbooks.example.com/replication-lag");
        assertThat(node.at("/annotations/value").asText()).isEqualTo("95 seconds");
        assertThat(node.get("startsAt").asText()).isEqualTo("2026-11-24T03:00:00Z");
        assertThat(node.get("endsAt").asText()).isEqualTo("2026-11-24T03:09:00Z");
        assertThat(node.has("generatorURL")).isFalse();
    }

    @Test
    void invalidLabelNamesAreMadeValidAndEmptyValuesLeftOut() {
        Alert alert = TestAlerts.firing("orders", Severity.WARNING)
                .setLabels(Map.of("k8s.io/app", "orders", "empty", "", "alertname", "ReplicationLag")).setNode(null).build();
        JsonNode labels = AlertmanagerPayload.of(JSON, alert, Instant.EPOCH).get("labels");
        assertThat(labels.get("k8s_io_app").asText()).isEqualTo("orders");
        assertThat(labels.has("empty")).isFalse();
        assertThat(labels.has("node")).isFalse();
    }

    @Test
    void webhookPayloadIsAlertmanagersVersion4() {
        Alert alert = TestAlerts.firing("orders", Severity.CRITICAL).build();
        JsonNode body = WebhookSink.payload(JSON, "hook", alert);
        assertThat(body.get("version").asText()).isEqualTo("4");
        assertThat(body.get("status").asText()).isEqualTo("firing");
        assertThat(body.get("receiver").asText()).isEqualTo("hook");
        assertThat(body.at("/groupLabels/alertname").asText()).isEqualTo("ReplicationLag");
        assertThat(body.at("/commonLabels/severity").asText()).isEqualTo("critical");
        assertThat(body.at("/alerts/0/status").asText()).isEqualTo("firing");
        assertThat(body.at("/alerts/0/endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(body.at("/alerts/0/fingerprint").asText()).isEqualTo(alert.getFingerprint());
        for (String field : new String[] {"groupKey", "truncatedAlerts", "commonAnnotations", "externalURL"}) {
            assertThat(body.has(field)).as(field).isTrue();
        }
        JsonNode resolved = WebhookSink.payload(JSON, "hook", TestAlerts.resolved(alert, Instant.parse("2026-11-24T03:10:00Z")));
        assertThat(resolved.get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.at("/alerts/0/endsAt").asText()).isEqualTo("2026-11-24T03:10:00Z");
    }
}
