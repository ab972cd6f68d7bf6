package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.drpilot.detector.RuleDriver.postgres;
import static org.assertj.core.api.Assertions.assertThat;

class SplitBrainRuleTest {
    private final RuleDriver driver = new RuleDriver("""
            components: [{name: orders-db, kind: database}]
            thresholds: {resolveHold: 10s, evidenceMaxAge: 30s}
            """);

    @AfterEach
    void stop() {
        driver.close();
    }

    private void node(double second, String node, NodeRole role) {
        driver.health("orders", postgres(second, "eu-1", "orders-db", "orders", node, role));
    }

    private List<Alert> splitBrain() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("split-brain")).toList();
    }

    @Test
    void twoNodesAnsweringAsPrimaryIsCriticalUntilOneStops() {
        node(0, "pg-1", NodeRole.PRIMARY);
        node(0, "pg-2", NodeRole.REPLICA);
        assertThat(splitBrain()).isEmpty();
        node(4, "pg-2", NodeRole.PRIMARY);   // promoted while pg-1 still takes writes
        assertThat(splitBrain()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getFingerprint()).isEqualTo("split-brain/cluster=orders/component=orders-db");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Split brain in orders: pg-1 and pg-2 both act as primary");
        });
        node(6, "pg-1", NodeRole.PRIMARY);
        assertThat(splitBrain()).as("no second FIRING").isEmpty();
        node(8, "pg-1", null);               // fenced
        node(12, "pg-2", NodeRole.PRIMARY);
        assertThat(splitBrain()).as("clear for less than the resolve hold").isEmpty();
        node(20, "pg-2", NodeRole.PRIMARY);
        assertThat(splitBrain()).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void aDeadOldPrimaryIsNoClaimAfterAFailover() {
        node(0, "pg-1", NodeRole.PRIMARY);
        node(2, "pg-1", null);               // killed: its probes fail from now on
        node(4, "pg-1", null);
        node(8, "pg-2", NodeRole.PRIMARY);   // promoted, within evidenceMaxAge of pg-1's last "primary"
        node(10, "pg-1", null);
        assertThat(splitBrain()).isEmpty();
    }

    @Test
    void aStaleClaimDoesNotCount() {
        node(0, "pg-1", NodeRole.PRIMARY);   // then nothing more from pg-1 (its collector moved on)
        node(40, "pg-2", NodeRole.PRIMARY);
        assertThat(splitBrain()).isEmpty();
    }

    @Test
    void aPrimaryFencedReadOnlyIsNoRival() {
        node(0, "pg-1", NodeRole.PRIMARY);
        dev.drpilot.events.HealthObservation fenced = postgres(4, "eu-1", "orders-db", "orders", "pg-1", NodeRole.PRIMARY);
        fenced.setDetails(java.util.Map.of("readOnly", "true"));
        driver.health("orders", fenced);
        node(5, "pg-2", NodeRole.PRIMARY);
        assertThat(splitBrain()).isEmpty();
    }
}
