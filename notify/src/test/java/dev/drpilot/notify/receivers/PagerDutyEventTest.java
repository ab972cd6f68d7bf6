package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PagerDutyEventTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @Test
    void aFiringAlertIsATriggerWithPayloadAndRunbookLink() throws Exception {
        Alert alert = TestAlerts.firing("orders", Severity.CRITICAL).build();
        JsonNode expected = JSON.readTree("""
                {"routing_key": "%s", "dedup_key": "replication-lag/cluster=orders/component=orders-db/node=pg-2",
                 "event_action": "trigger", "client": "drpilot",
                 "payload": {"summary": "Replica pg-2 of orders is 95 s behind", "source": "orders/pg-2", "severity": "critical",
                             "timestamp": "2026-11-24T03:00:00Z", "component": "orders-db", "group": "orders", "class": "replication-lag",
                             "custom_details": {"alertname": "ReplicationLag", "cluster": "orders", "component": "orders-db", "node": "pg-2",
                                                "rule": "replication-lag", "severity": "critical",
                                                "description": "Replication lag stayed above 60 s for 30 s.",
                                                "value": 95.0, "threshold": 60.0, "unit": "seconds", "firing_since": "2026-11-24T03:00:00Z"}},
                 "links": [{"href": "https://runbooks.example.com/replication-lag", "text": "Runbook"}]}
                """.formatted(KEY));
        assertThat(PagerDutyEvent.of(JSON, alert, KEY)).isEqualTo(expected);
    }

    @Test
    void aResolvedAlertIsAResolveWithTheSameDedupKey() throws Exception {
        Alert resolved = TestAlerts.resolved(TestAlerts.firing("orders", Severity.CRITICAL).build(), Instant.parse("2026-11-24T03:10:00Z"));
        assertThat(PagerDutyEvent.of(JSON, resolved, KEY)).isEqualTo(JSON.readTree("""
                {"routing_key": "%s", "dedup_key": "replication-lag/cluster=orders/component=orders-db/node=pg-2", "event_action": "resolve"}
                """.formatted(KEY)));
    }

    @Test
    void summaryIsCutTo1024CharactersAndLongFingerprintsAreHashed() {
        Alert alert = TestAlerts.firing("orders", Severity.INFO).setAnnotations(java.util.Map.of("summary", "x".repeat(5000)))
                .setFingerprint("f".repeat(300)).build();
        JsonNode event = PagerDutyEvent.of(JSON, alert, KEY);
        assertThat(event.at("/payload/summary").asText()).hasSize(1024).endsWith("...");
        assertThat(event.at("/payload/severity").asText()).isEqualTo("info");
        assertThat(event.get("dedup_key").asText()).startsWith("sha256:").hasSizeLessThanOrEqualTo(255)
                .isEqualTo(PagerDutyEvent.dedupKey("f".repeat(300)));
    }

    @Test
    void severitiesMapOntoPagerDutysFour() {
        assertThat(PagerDutyEvent.severity(TestAlerts.firing("o", Severity.WARNING).build())).isEqualTo("warning");
        assertThat(PagerDutyEvent.severity(TestAlerts.firing("o", Severity.UNKNOWN).build())).isEqualTo("error");
    }
}
