package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    private void failover(double second, String incident, String from, String to, Map<String, String> extra) {
        Map<String, String> attributes = new HashMap<>(Map.of("outcome", "SUCCEEDED", "mode", "AUTO", "oldPrimary", from, "newPrimary", to));
        attributes.putAll(extra);
        driver.action(ActionRecord.newBuilder().setActionId(incident + "/summary").setKind(ActionKind.FAILOVER_SUMMARY).setName("summary")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId(incident).setCluster("orders").setStartedAt(RuleDriver.at(second - 5))
                .setFinishedAt(RuleDriver.at(second)).setDetail("failed over to " + to).setAttributes(attributes).build());
    }

    private void failover(double second, String incident, String from, String to) {
        failover(second, incident, from, to, Map.of());
    }

    @Test
    void aReplacedPrimaryThatTakesWritesAgainIsCriticalAndFencedEvenWhenItIsTheOnlyPrimary() {
        node(0, "pg-1", NodeRole.PRIMARY);
        failover(10, "orders-1", "pg-1", "pg-2");
        node(11, "pg-2", null);                // the new primary is down too: pg-1 is the only one answering as primary
        node(20, "pg-1", NodeRole.PRIMARY);    // restarted as it was after the failover
        assertThat(splitBrain()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getFingerprint()).isEqualTo("split-brain/cluster=orders/component=orders-db/node=pg-1");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Split brain in orders: pg-1, replaced by failover orders-1, takes writes again");
        });
        assertThat(driver.commands()).singleElement().satisfies(command -> {
            assertThat(command.getMode()).isEqualTo(FailoverMode.FENCE);
            assertThat(command.getFailedNode()).isEqualTo("pg-1");
            assertThat(command.getCluster()).isEqualTo("orders");
            assertThat(command.getIncidentId()).isEqualTo("fence-pg-1-after-orders-1");
            assertThat(command.getDetectedAt()).isEqualTo(RuleDriver.at(20));
        });

        node(25, "pg-1", NodeRole.PRIMARY);
        assertThat(driver.commands()).as("asked again only after evidenceMaxAge").isEmpty();
        node(51, "pg-1", NodeRole.PRIMARY);
        assertThat(driver.commands()).singleElement().extracting(FailoverCommand::getIncidentId)
                .as("the same incident: one sighting").isEqualTo("fence-pg-1-after-orders-1");

        node(52, "pg-1", NodeRole.REPLICA);    // fenced: it came back in recovery
        node(63, "pg-1", NodeRole.REPLICA);
        assertThat(splitBrain()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Split brain in orders: pg-1 no longer takes writes");
        });
    }

    @Test
    void aReadOnlySettingDoesNotHideAReplacedPrimaryThatAnySessionCouldWriteTo() {
        failover(10, "orders-1", "pg-1", "pg-2");
        HealthObservation readOnly = postgres(12, "eu-1", "orders-db", "orders", "pg-1", NodeRole.PRIMARY);
        readOnly.setDetails(Map.of("readOnly", "true"));
        driver.health("orders", readOnly);
        assertThat(driver.commands()).singleElement().extracting(FailoverCommand::getFailedNode).isEqualTo("pg-1");
    }

    @Test
    void theNewPrimaryAndProbesFromBeforeTheFailoverAreNoSighting() {
        failover(10, "orders-1", "pg-1", "pg-2");
        node(9, "pg-1", NodeRole.PRIMARY);     // observed before the failover ended, delivered after it
        node(12, "pg-2", NodeRole.PRIMARY);
        assertThat(splitBrain()).as("only the rule's older check: two fresh claims").extracting(Alert::getFingerprint)
                .containsOnly("split-brain/cluster=orders/component=orders-db");
        assertThat(driver.commands()).isEmpty();
    }

    @Test
    void aNodeThatALaterFailoverPromotedAgainIsTheLegitimatePrimary() {
        failover(10, "orders-1", "pg-1", "pg-2");
        failover(20, "orders-2", "pg-2", "pg-1");
        node(30, "pg-1", NodeRole.PRIMARY);
        assertThat(driver.commands()).isEmpty();
        node(31, "pg-2", NodeRole.PRIMARY);
        assertThat(driver.commands()).singleElement().extracting(FailoverCommand::getIncidentId).isEqualTo("fence-pg-2-after-orders-2");
    }

    @Test
    void dryRunsAndFencesReplaceNobody() {
        failover(10, "orders-1", "pg-1", "pg-2", Map.of("outcome", "DRY_RUN", "dryRun", "true"));
        failover(11, "orders-2", "pg-1", "pg-2", Map.of("mode", "FENCE"));
        node(20, "pg-1", NodeRole.PRIMARY);
        assertThat(splitBrain()).isEmpty();
        assertThat(driver.commands()).isEmpty();
    }
}
