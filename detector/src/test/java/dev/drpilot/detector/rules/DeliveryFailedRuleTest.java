package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.drpilot.detector.RuleDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;

class DeliveryFailedRuleTest {
    private final RuleDriver driver = new RuleDriver("""
            components: [{name: orders-db, kind: database}]
            receivers:
              - {name: oncall-pagerduty, type: log}
              - {name: team-email, type: log}
            """);

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<Alert> deliveryFailed() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("delivery-failed")).toList();
    }

    private static ActionRecord delivery(String receiver, ActionStatus status, String alertRule, String severity, Instant at, String detail) {
        Map<String, String> attributes = new HashMap<>(Map.of("alertRule", alertRule, "alertSeverity", severity, "attempts", "23"));
        if (status == ActionStatus.FAILED) {
            attributes.put("reason", "retries_exhausted");
        }
        return ActionRecord.newBuilder().setActionId("delivery/" + receiver + "/" + at).setKind(ActionKind.ALERT_DELIVERY).setName(receiver)
                .setStatus(status).setIncidentId("inc-orders-1").setCluster("orders").setFingerprint(alertRule + "/cluster=orders")
                .setStartedAt(at.minusSeconds(1800)).setFinishedAt(at).setDetail(detail).setAttributes(attributes).build();
    }

    @Test
    void aLostPageIsCriticalForTheOthersAndASuccessfulDeliveryResolvesIt() {
        driver.action(delivery("oncall-pagerduty", ActionStatus.FAILED, "primary-down", "critical", T0,
                "gave up after 22 retries over 1800 s: HTTP 503 from events.pagerduty.com"));
        driver.action(delivery("oncall-pagerduty", ActionStatus.FAILED, "replication-lag", "warning", T0.plusSeconds(60), "HTTP 503"));

        assertThat(deliveryFailed()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getFingerprint()).isEqualTo("delivery-failed/component=drpilot/receiver=oncall-pagerduty");
            assertThat(alert.getLabels()).containsEntry("receiver", "oncall-pagerduty");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Alerts to receiver oncall-pagerduty are not being delivered");
            assertThat(alert.getAnnotations().get("description")).contains("primary-down/cluster=orders", "HTTP 503 from events.pagerduty.com");
            assertThat(alert.getStartsAt()).isEqualTo(T0);
        });

        driver.action(delivery("oncall-pagerduty", ActionStatus.SUCCEEDED, "replication-lag", "warning", T0.plusSeconds(120), "delivered FIRING"));
        assertThat(deliveryFailed()).extracting(Alert::getStatus).containsExactly(AlertStatus.RESOLVED);
    }

    @Test
    void aLostWarningIsAWarningAndOtherReceiversDeliveriesChangeNothing() {
        driver.action(delivery("team-email", ActionStatus.FAILED, "backup-failed", "warning", T0, "rejected, not retried: 550 no such user"));
        driver.action(delivery("oncall-pagerduty", ActionStatus.SUCCEEDED, "backup-failed", "warning", T0.plusSeconds(5), "delivered FIRING"));

        assertThat(deliveryFailed()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getLabels()).containsEntry("receiver", "team-email");
        });
    }

    @Test
    void failingToDeliverADeliveryFailedAlertIsNotCountedSoTwoDeadReceiversDoNotPageEachOtherInALoop() {
        driver.action(delivery("team-email", ActionStatus.FAILED, "delivery-failed", "critical", T0, "connection refused"));
        assertThat(deliveryFailed()).isEmpty();
    }
}
