package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.drpilot.detector.RuleDriver.postgres;
import static dev.drpilot.detector.RuleDriver.probe;
import static dev.drpilot.detector.RuleDriver.replica;
import static org.assertj.core.api.Assertions.assertThat;

/** Rule 5: incidents open longer than the RTO, measured on the wall clock; the resolution records the recovery time. */
class RtoRuleTest {
    private final RuleDriver driver = new RuleDriver("""
            components:
              - {name: orders-db, kind: database, rto: 2m}
              - {name: web, kind: application}
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
                failover: {mode: manual}
            alerts: {evaluationInterval: 5s}
            """);

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<Alert> rto() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("rto-breach")).toList();
    }

    @Test
    void aPrimaryDownIncidentOpenBeyondTheRtoIsCriticalAndItsResolutionRecordsTheRecoveryTime() {
        for (double s = 0; s <= 4; s += 2) {
            driver.health("orders", postgres(s, "eu-1", "orders-db", "orders", "pg-1", null));
            driver.replication("orders", replica(s, "eu-1", "orders-db", "orders", "pg-2", null, 0.0));
        }
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getMode().name()).isEqualTo("MANUAL"));
        driver.advance(Duration.ofSeconds(115));
        assertThat(rto()).isEmpty();
        driver.advance(Duration.ofSeconds(10));   // 2m05s after the first failure
        assertThat(rto()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getFingerprint()).isEqualTo("rto-breach/cluster=orders/component=orders-db");
            assertThat(alert.getIncidentId()).isEqualTo("orders-20261124T030000Z");
            assertThat(alert.getStartsAt()).isEqualTo(RuleDriver.T0);
        });
        driver.advance(Duration.ofMinutes(1));
        assertThat(rto()).as("fires once").isEmpty();

        driver.health("orders", postgres(200, "eu-1", "orders-db", "orders", "pg-2", NodeRole.PRIMARY));
        assertThat(rto()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getValue()).isEqualTo(200.0);
            assertThat(alert.getAnnotations().get("description")).contains("recovered in 3m20s (RTO 2m)");
        });
    }

    @Test
    void anApplicationWhoseProbeKeepsFailingBreachesItsRto() {
        for (double s = 0; s <= 20; s += 10) {
            driver.health("web", probe(s, "eu-1", "web", "web-health", ProbeKind.HTTP, false));
        }
        driver.advance(Duration.ofMinutes(5).plusSeconds(5));
        assertThat(rto()).singleElement().satisfies(alert -> {
            assertThat(alert.getFingerprint()).isEqualTo("rto-breach/component=web");
            assertThat(alert.getAnnotations().get("description")).contains("http probe web-health failing");
        });
        driver.health("web", probe(330, "eu-1", "web", "web-health", ProbeKind.HTTP, true));
        assertThat(rto()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getValue()).isEqualTo(330.0);
        });
    }

    @Test
    void anOutageShorterThanTheRtoRaisesNothing() {
        for (double s = 0; s <= 20; s += 10) {
            driver.health("web", probe(s, "eu-1", "web", "web-health", ProbeKind.HTTP, false));
        }
        driver.advance(Duration.ofMinutes(1));
        driver.health("web", probe(60, "eu-1", "web", "web-health", ProbeKind.HTTP, true));
        driver.advance(Duration.ofMinutes(10));
        assertThat(rto()).isEmpty();
    }
}
