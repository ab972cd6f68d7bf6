package dev.drpilot.notify.receivers;

import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EmailTextTest {
    @Test
    void subjectAndBodiesShowWhatOnCallNeeds() {
        Alert alert = TestAlerts.firing("orders", Severity.CRITICAL).build();
        assertThat(EmailText.subject(alert)).isEqualTo("[FIRING:CRITICAL] orders-db: Replica pg-2 of orders is 95 s behind");
        assertThat(EmailText.plain(alert)).contains("Component: orders-db", "Rule: replication-lag", "Value: 95 seconds",
                "Threshold: 60 seconds", "Since: 2026-11-24T03:00:00Z", "Runbook: https://runbooks.example.com/replication-lag");
        assertThat(EmailText.html(alert)).contains("<th align=\"left\">Value</th><td>95 seconds</td>",
                "<a href=\"https://runbooks.example.com/replication-lag\">Runbook</a>");
    }

    @Test
    void htmlEscapesWhatTheAlertCarries() {
        Alert alert = TestAlerts.firing("orders", Severity.WARNING).setAnnotations(Map.of("summary", "<script>alert('x')</script> & more")).build();
        assertThat(EmailText.html(alert)).doesNotContain("<script>").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more");
    }
}
