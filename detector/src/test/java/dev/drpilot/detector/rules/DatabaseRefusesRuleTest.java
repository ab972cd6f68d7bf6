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
import static dev.drpilot.detector.RuleDriver.refused;
import static dev.drpilot.detector.RuleDriver.replica;
import static org.assertj.core.api.Assertions.assertThat;

class DatabaseRefusesRuleTest {
    private static final String LOGIN_FAILED = "FATAL: password authentication failed for user \"drpilot\"";
    private static final String TOO_MANY = "FATAL: remaining connection slots are reserved for non-replication superuser connections";

    private final RuleDriver driver = new RuleDriver("""
            components: [{name: orders-db, kind: database}]
            thresholds: {probeFailures: 3, resolveHold: 10s, evidenceMaxAge: 30s}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1}
                  - {name: pg-2, host: pg-2}
                failover: {mode: auto, quorum: 2, holdProbes: 3}
            """);

    @AfterEach
    void stop() {
        driver.close();
    }

    private void answers(double second, String vantage, String node, NodeRole role) {
        driver.health("orders", postgres(second, vantage, "orders-db", "orders", node, role));
    }

    private void refuses(double second, String vantage, String node, String sqlState, String message) {
        driver.health("orders", refused(second, vantage, "orders-db", "orders", node, sqlState, message));
    }

    private void walReceiver(double second, String status) {
        driver.replication("orders", replica(second, "eu-1", "orders-db", "orders", "pg-2", status, 0.0));
    }

    private List<Alert> alerts(String rule) {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals(rule)).toList();
    }

    @Test
    void aPrimaryRefusingTheCollectorsLoginPagesOnceTheHoldIsReachedNamingTheLoginFailure() {
        answers(0, "eu-1", "pg-1", NodeRole.PRIMARY);
        refuses(2, "eu-1", "pg-1", "28P01", LOGIN_FAILED);
        refuses(4, "eu-1", "pg-1", "28P01", LOGIN_FAILED);
        assertThat(alerts("database-refuses")).as("two error answers: within the hold").isEmpty();
        refuses(6, "eu-1", "pg-1", "28P01", LOGIN_FAILED);

        assertThat(alerts("database-refuses")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).as("the primary: it pages").isEqualTo(Severity.CRITICAL);
            assertThat(alert.getFingerprint()).isEqualTo("database-refuses/cluster=orders/component=orders-db/node=pg-1");
            assertThat(alert.getLabels()).containsEntry("alertname", "DatabaseRefuses").containsEntry("node", "pg-1");
            assertThat(alert.getStartsAt()).isEqualTo(RuleDriver.at(6));
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Primary pg-1 of orders refuses drpilot's probes: SQLSTATE 28P01");
            assertThat(alert.getAnnotations().get("description"))
                    .contains("eu-1 (3 in a row)")
                    .contains("SQLSTATE 28P01: " + LOGIN_FAILED)
                    .contains("Login refused: the collector's credentials")
                    .contains("starts no failover");
        });
    }

    @Test
    void aPrimaryRefusingEveryVantageNeverLeadsToAFailoverCommand() {
        answers(0, "eu-1", "pg-1", NodeRole.PRIMARY);
        answers(0, "us-1", "pg-1", NodeRole.PRIMARY);
        walReceiver(0, "streaming");
        for (double s = 2; s <= 60; s += 2) {
            refuses(s, "eu-1", "pg-1", "53300", TOO_MANY);
            refuses(s + 0.5, "us-1", "pg-1", "53300", TOO_MANY);
            walReceiver(s + 1, "streaming");
        }
        assertThat(driver.commands()).isEmpty();
        List<Alert> alerts = driver.alerts();
        assertThat(alerts).filteredOn(alert -> alert.getRule().equals("primary-down")).isEmpty();
        assertThat(alerts).filteredOn(alert -> alert.getRule().equals("database-refuses")).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getAnnotations().get("description")).contains("Connections exhausted (max_connections)");
        });
    }

    @Test
    void errorAnswersBetweenFailedProbesKeepThePrimaryAliveForPrimaryDown() {
        // Two vantages whose probes fail, but between the failures the primary answers one of them with 57P03:
        // no vantage reaches three consecutive failures, so there is no quorum and no command.
        walReceiver(0, "lost");
        for (double s = 0; s <= 30; s += 6) {
            answers(s, "eu-1", "pg-1", null);
            answers(s + 2, "eu-1", "pg-1", null);
            refuses(s + 4, "eu-1", "pg-1", "57P03", "FATAL: the database system is starting up");
            answers(s, "us-1", "pg-1", null);
            answers(s + 2, "us-1", "pg-1", null);
            refuses(s + 4, "us-1", "pg-1", "57P03", "FATAL: the database system is starting up");
        }
        assertThat(driver.commands()).isEmpty();
        assertThat(alerts("primary-down")).isEmpty();
    }

    @Test
    void aReplicaRefusingIsAWarning() {
        answers(0, "eu-1", "pg-2", NodeRole.REPLICA);
        for (double s = 2; s <= 6; s += 2) {
            refuses(s, "eu-1", "pg-2", "57P03", "FATAL: the database system is shutting down");
        }
        assertThat(alerts("database-refuses")).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Replica pg-2 of orders refuses drpilot's probes: SQLSTATE 57P03");
            assertThat(alert.getAnnotations().get("description")).contains("Starting up, shutting down or in crash recovery");
        });
    }

    @Test
    void theRoleIsTheOneTheNodeLastAnsweredWithNotTheConfiguredOne() {
        answers(0, "eu-1", "pg-2", NodeRole.PRIMARY);   // promoted by a failover: the configuration still calls it a replica
        for (double s = 2; s <= 6; s += 2) {
            refuses(s, "eu-1", "pg-2", "53300", TOO_MANY);
        }
        assertThat(alerts("database-refuses")).singleElement().extracting(Alert::getSeverity).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void itResolvesWhenTheNodeAnswersNormallyAgainForTheResolveHold() {
        for (double s = 0; s <= 4; s += 2) {
            refuses(s, "eu-1", "pg-1", "28P01", LOGIN_FAILED);
        }
        assertThat(alerts("database-refuses")).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.FIRING);
        answers(6, "eu-1", "pg-1", NodeRole.PRIMARY);   // the password was fixed
        answers(10, "eu-1", "pg-1", NodeRole.PRIMARY);
        assertThat(alerts("database-refuses")).as("clear for less than the resolve hold").isEmpty();
        answers(16, "eu-1", "pg-1", NodeRole.PRIMARY);
        assertThat(alerts("database-refuses")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getEndsAt()).isEqualTo(RuleDriver.at(6));
        });
    }

    @Test
    void aStreakBrokenByANormalAnswerStartsAgain() {
        refuses(0, "eu-1", "pg-1", "53300", TOO_MANY);
        refuses(2, "eu-1", "pg-1", "53300", TOO_MANY);
        answers(4, "eu-1", "pg-1", NodeRole.PRIMARY);   // got a slot this time
        refuses(6, "eu-1", "pg-1", "53300", TOO_MANY);
        refuses(8, "eu-1", "pg-1", "53300", TOO_MANY);
        assertThat(alerts("database-refuses")).isEmpty();
    }

    @Test
    void noAnswerNeitherRaisesNorClearsIt() {
        for (double s = 0; s <= 30; s += 2) {
            answers(s, "eu-1", "pg-2", null);   // pg-2 is down: primary-down's and the replicas' business, not this rule's
        }
        assertThat(alerts("database-refuses")).isEmpty();
        for (double s = 32; s <= 36; s += 2) {
            refuses(s, "eu-1", "pg-2", "57P03", "FATAL: the database system is starting up");
        }
        answers(38, "eu-1", "pg-2", null);
        answers(60, "eu-1", "pg-2", null);
        assertThat(alerts("database-refuses")).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.FIRING);
    }
}
