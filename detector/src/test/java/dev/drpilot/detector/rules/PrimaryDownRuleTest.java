package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.drpilot.detector.RuleDriver.postgres;
import static dev.drpilot.detector.RuleDriver.replica;
import static org.assertj.core.api.Assertions.assertThat;

class PrimaryDownRuleTest {
    private static final String CONFIG = """
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1}
                  - {name: pg-2, host: pg-2}
                failover: {mode: auto, quorum: 2, holdProbes: 3}
            """;

    private RuleDriver driver = new RuleDriver(CONFIG);

    @AfterEach
    void stop() {
        driver.close();
    }

    private void probe(double second, String vantage, NodeRole role) {
        driver.health("orders", postgres(second, vantage, "orders-db", "orders", "pg-1", role));
    }

    private void walReceiver(double second, String status) {
        driver.replication("orders", replica(second, "eu-1", "orders-db", "orders", "pg-2", status, 0.0));
    }

    private List<Alert> primaryDown() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("primary-down")).toList();
    }

    @Test
    void twoVantagesConfirmingFireOneCriticalAlertAndExactlyOneFailoverCommand() {
        probe(0, "eu-1", NodeRole.PRIMARY);
        walReceiver(0, "streaming");
        probe(2, "eu-1", null);
        probe(4, "eu-1", null);
        walReceiver(5, null);               // the replica's WAL receiver lost the primary
        assertThat(driver.commands()).as("one probe vantage has only 2 failures").isEmpty();
        probe(6, "eu-1", null);             // third consecutive failure: quorum of 2 reached

        List<FailoverCommand> commands = driver.commands();
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getIncidentId()).isEqualTo("orders-20261124T030002Z");
            assertThat(command.getCommandId()).isEqualTo("orders-20261124T030002Z/failover");
            assertThat(command.getCluster()).isEqualTo("orders");
            assertThat(command.getComponent()).isEqualTo("orders-db");
            assertThat(command.getFailedNode()).isEqualTo("pg-1");
            assertThat(command.getMode()).isEqualTo(FailoverMode.AUTO);
            assertThat(command.getDetectedAt()).isEqualTo(RuleDriver.at(2));
            assertThat(command.getEvidence()).extracting(source -> source.getVantage()).containsExactlyInAnyOrder("eu-1", "replica pg-2");
            assertThat(command.getReason()).contains("unreachable from 2 of 2 vantages").contains("3 consecutive");
        });
        assertThat(primaryDown()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getFingerprint()).isEqualTo("primary-down/cluster=orders/component=orders-db/node=pg-1");
            assertThat(alert.getIncidentId()).isEqualTo("orders-20261124T030002Z");
            assertThat(alert.getStartsAt()).isEqualTo(RuleDriver.at(2));
        });

        for (double s = 8; s <= 30; s += 2) {
            probe(s, "eu-1", null);
            walReceiver(s, null);
        }
        assertThat(driver.commands()).as("no second command while the incident is open").isEmpty();
        assertThat(primaryDown()).isEmpty();
    }

    @Test
    void aPrimaryThatAnswersInRecoveryIsNoPrimaryAndIsFailedOverAfterTheHold() {
        // Its agent fenced it (fence: demote, Kafka lost) or someone demoted it: it answers, in recovery, and nobody takes
        // writes. Its replicas may even keep streaming from it (cascading): only the probes tell.
        probe(0, "eu-1", NodeRole.PRIMARY);
        probe(0, "us-1", NodeRole.PRIMARY);
        walReceiver(0, "streaming");
        for (double s = 2; s <= 4; s += 2) {
            probe(s, "eu-1", NodeRole.REPLICA);
            probe(s, "us-1", NodeRole.REPLICA);
            walReceiver(s, "streaming");
        }
        assertThat(driver.commands()).as("two answers in recovery are within the blip tolerance").isEmpty();
        probe(6, "eu-1", NodeRole.REPLICA);
        probe(6, "us-1", NodeRole.REPLICA);

        assertThat(driver.commands()).singleElement().satisfies(command -> {
            assertThat(command.getFailedNode()).isEqualTo("pg-1");
            assertThat(command.getEvidence()).extracting(source -> source.getVantage()).contains("eu-1", "us-1");
        });
        assertThat(primaryDown()).singleElement().satisfies(alert ->
                assertThat(alert.getAnnotations().get("description")).contains("answered in recovery (takes no writes)"));
    }

    @Test
    void aSwitchoversDemotedPrimaryFollowedByTheNewPrimarysClaimOpensNoIncident() {
        probe(0, "eu-1", NodeRole.PRIMARY);
        probe(0, "us-1", NodeRole.PRIMARY);
        probe(2, "eu-1", NodeRole.REPLICA);
        probe(2, "us-1", NodeRole.REPLICA);
        // The promoted replica claims primary before the hold is over: the watch moves to it.
        driver.health("orders", postgres(3, "eu-1", "orders-db", "orders", "pg-2", NodeRole.PRIMARY));
        for (double s = 4; s <= 12; s += 2) {
            probe(s, "eu-1", NodeRole.REPLICA);
            probe(s, "us-1", NodeRole.REPLICA);
            driver.health("orders", postgres(s, "eu-1", "orders-db", "orders", "pg-2", NodeRole.PRIMARY));
        }
        assertThat(driver.commands()).isEmpty();
        assertThat(primaryDown()).isEmpty();
    }

    @Test
    void oneVantageAloneIsNotAQuorumWhenTwoReport() {
        walReceiver(0, "streaming");
        for (double s = 0; s <= 30; s += 2) {
            probe(s, "eu-1", null);
            walReceiver(s, "streaming");    // the replica still streams: the primary is alive, the probe's path is broken
        }
        assertThat(driver.commands()).isEmpty();
        assertThat(primaryDown()).isEmpty();
    }

    @Test
    void aBlipShorterThanTheHoldDoesNotCount() {
        probe(0, "eu-1", NodeRole.PRIMARY);
        probe(0, "us-1", NodeRole.PRIMARY);
        for (int round = 0; round < 5; round++) {
            double base = 1 + round * 6;
            probe(base, "eu-1", null);
            probe(base, "us-1", null);
            probe(base + 2, "eu-1", null);
            probe(base + 2, "us-1", null);
            probe(base + 4, "eu-1", NodeRole.PRIMARY);   // answers again after two failures
            probe(base + 4, "us-1", NodeRole.PRIMARY);
        }
        assertThat(driver.commands()).isEmpty();
        assertThat(primaryDown()).isEmpty();
    }

    @Test
    void twoProbeVantagesWithThreeFailuresEachConfirm() {
        for (double s = 0; s <= 4; s += 2) {
            probe(s, "eu-1", null);
            assertThat(driver.commands()).isEmpty();
            probe(s + 0.5, "us-1", null);
        }
        assertThat(driver.commands()).hasSize(1);
    }

    @Test
    void replicasAloneNeverConfirm() {
        try (RuleDriver replicas = new RuleDriver(CONFIG.replace("- {name: pg-2, host: pg-2}", "- {name: pg-2, host: pg-2}\n      - {name: pg-3, host: pg-3}"))) {
            for (double s = 0; s <= 20; s += 5) {
                replicas.replication("orders", replica(s, "eu-1", "orders-db", "orders", "pg-2", null, 0.0));
                replicas.replication("orders", replica(s, "eu-1", "orders-db", "orders", "pg-3", null, 0.0));
                replicas.health("orders", postgres(s, "eu-1", "orders-db", "orders", "pg-1", NodeRole.PRIMARY));
            }
            assertThat(replicas.commands()).isEmpty();
        }
    }

    @Test
    void aLateSuccessDoesNotResetNewerFailures() {
        walReceiver(0, "streaming");
        probe(2, "eu-1", null);
        probe(4, "eu-1", null);
        probe(1, "eu-1", NodeRole.PRIMARY);   // late: observed before the failures
        walReceiver(5, null);
        probe(6, "eu-1", null);
        assertThat(driver.commands()).hasSize(1);
    }

    @Test
    void withFailoverOffItAlertsButCommandsNothing() {
        try (RuleDriver off = new RuleDriver(CONFIG.replace("mode: auto", "mode: off"))) {
            for (double s = 0; s <= 6; s += 2) {
                off.health("orders", postgres(s, "eu-1", "orders-db", "orders", "pg-1", null));
                off.replication("orders", replica(s, "eu-1", "orders-db", "orders", "pg-2", null, 0.0));
            }
            assertThat(off.commands()).isEmpty();
            assertThat(off.alerts()).filteredOn(alert -> alert.getRule().equals("primary-down")).singleElement()
                    .satisfies(alert -> assertThat(alert.getAnnotations().get("description")).contains("Automatic failover is off"));
        }
    }

    @Test
    void theIncidentClosesWhenAnotherNodeIsPrimaryAndANewOutageIsANewIncident() {
        for (double s = 0; s <= 6; s += 2) {
            probe(s, "eu-1", null);
            walReceiver(s, null);
        }
        assertThat(driver.commands()).hasSize(1);
        driver.health("orders", postgres(9, "eu-1", "orders-db", "orders", "pg-2", NodeRole.PRIMARY));   // promoted

        assertThat(primaryDown()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        // pg-1 stays dead: that no longer matters, pg-2 is the primary now.
        for (double s = 10; s <= 20; s += 2) {
            probe(s, "eu-1", null);
        }
        assertThat(driver.commands()).isEmpty();
        // The new primary fails too: a new incident, a new command.
        for (double s = 30; s <= 34; s += 2) {
            driver.health("orders", postgres(s, "eu-1", "orders-db", "orders", "pg-2", null));
            driver.health("orders", postgres(s, "us-1", "orders-db", "orders", "pg-2", null));
        }
        assertThat(driver.commands()).singleElement().satisfies(command -> {
            assertThat(command.getFailedNode()).isEqualTo("pg-2");
            assertThat(command.getIncidentId()).isEqualTo("orders-20261124T030030Z");
        });
    }

    private List<Alert> unconfirmed() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("primary-unconfirmed")).toList();
    }

    @Test
    void oneVantageAloneNeverFailsOverButPagesThatTheFailureCannotBeConfirmed() {
        for (double s = 0; s <= 10; s += 2) {
            probe(s, "eu-1", null);              // the only vantage that reports: no replica, no second collector
        }
        assertThat(driver.commands()).isEmpty();
        List<Alert> alerts = driver.alerts();
        assertThat(alerts).filteredOn(alert -> alert.getRule().equals("primary-down")).isEmpty();
        assertThat(alerts).filteredOn(alert -> alert.getRule().equals("primary-unconfirmed")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getFingerprint()).isEqualTo("primary-unconfirmed/cluster=orders/component=orders-db/node=pg-1");
            assertThat(alert.getStartsAt()).isEqualTo(RuleDriver.at(0));
            assertThat(alert.getAnnotations().get("description"))
                    .contains("eu-1: probe orders/pg-1 failed").contains("1 of the 2 distinct vantages failover.quorum needs")
                    .contains("will not fail over");
        });
    }

    @Test
    void aVantageFallingSilentNeverLowersTheQuorum() {
        probe(0, "eu-1", NodeRole.PRIMARY);
        probe(0, "us-1", NodeRole.PRIMARY);
        for (double s = 32; s <= 40; s += 2) {   // us-1 has been silent for longer than evidenceMaxAge (30s)
            probe(s, "eu-1", null);
        }
        assertThat(driver.commands()).as("one fresh vantage of the two needed").isEmpty();
        assertThat(unconfirmed()).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.FIRING);

        for (double s = 41; s <= 45; s += 2) {   // us-1 is back and sees it down too: a quorum
            probe(s, "us-1", null);
        }
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getEvidence())
                .extracting(source -> source.getVantage()).containsExactlyInAnyOrder("eu-1", "us-1"));
        assertThat(unconfirmed()).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void theUnconfirmedPageResolvesWhenAVantageSeesThePrimaryAnswer() {
        for (double s = 0; s <= 4; s += 2) {
            probe(s, "eu-1", null);
        }
        assertThat(unconfirmed()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
        probe(5, "us-1", NodeRole.PRIMARY);
        assertThat(unconfirmed()).extracting(Alert::getStatus).containsExactly(AlertStatus.RESOLVED);
        assertThat(driver.commands()).isEmpty();
    }

    @Test
    void aFailureSeenByTooFewVantagesBeforeTheHoldIsNoPage() {
        probe(0, "eu-1", null);
        probe(2, "eu-1", null);
        assertThat(unconfirmed()).isEmpty();
    }
}
