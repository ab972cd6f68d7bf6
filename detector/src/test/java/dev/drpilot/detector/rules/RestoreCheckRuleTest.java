package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.drpilot.detector.RuleDriver.at;
import static org.assertj.core.api.Assertions.assertThat;

/** Rule 12: what a restore check proved against the plan — it failed, it was slower than the RTO, it reached too old a point, or none succeeded for too long. */
class RestoreCheckRuleTest {
    private static final String CONFIG = """
            components:
              - {name: orders-db, kind: database, cluster: orders, rto: 1h, rpo: 15m}
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, role: primary, host: 10.0.0.1}]
            backups:
              - component: orders-db
                tool: pgbackrest
                stanza: main
                restoreCheck: {schedule: "every 1d", maxAge: 2d}
            alerts: {evaluationInterval: 10s}
            """;

    private final RuleDriver driver = new RuleDriver(CONFIG);

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<Alert> restoreAlerts() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("restore-check")).toList();
    }

    private static RestoreCheck.Builder check(double second) {
        Instant finished = at(second);
        return RestoreCheck.newBuilder().setCheckedAt(finished).setComponent("orders-db").setHost("restore-1").setSucceeded(true)
                .setTool(BackupTool.PGBACKREST).setBackupName("20261124-020000F").setTarget("time")
                .setTargetTime(finished.minus(Duration.ofMinutes(20))).setRecoveryPointAt(finished.minus(Duration.ofMinutes(21)))
                .setStartedAt(finished.minusSeconds(300)).setDurationMillis(240_000).setRtoMillis(3_600_000).setRpoMillis(900_000L)
                .setChecks(List.of(RestoreCheckQuery.newBuilder().setName("orders").setPassed(true).setDetail("1042").build()));
    }

    private static RestoreCheck failed(double second, String error) {
        return check(second).setSucceeded(false).setError(error).setRecoveryPointAt(null).build();
    }

    @Test
    void aFailedRestoreFiresWithTheErrorAndAGoodCheckResolvesIt() {
        driver.restoreCheck(failed(0, "pgbackrest restore failed (exit 29): zlib threw error: [-3] data error"));

        assertThat(restoreAlerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getLabels()).containsEntry("alertname", "RestoreCheckFailed").containsEntry("component", "orders-db")
                    .containsEntry("cluster", "orders");
            assertThat(alert.getFingerprint()).isEqualTo("restore-check/cluster=orders/component=orders-db/finding=failed");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Restore check of orders-db failed");
            assertThat(alert.getAnnotations().get("description")).contains("zlib threw error").contains("20261124-020000F");
        });

        driver.restoreCheck(check(3600).build());
        assertThat(restoreAlerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getLabels()).containsEntry("alertname", "RestoreCheckFailed");
        });
    }

    @Test
    void aFailedCheckQueryIsNamedInTheDescription() {
        driver.restoreCheck(check(0).setSucceeded(false).setError("check queries failed: orders")
                .setChecks(List.of(RestoreCheckQuery.newBuilder().setName("orders").setPassed(false)
                        .setDetail("returned 0, expected 1042").build())).build());

        assertThat(restoreAlerts()).singleElement().extracting(alert -> alert.getAnnotations().get("description").toString())
                .asString().contains("Failed checks: orders (returned 0, expected 1042)");
    }

    @Test
    void aRestoreSlowerThanTheRtoFiresItsOwnAlertNotTheFailedOne() {
        driver.restoreCheck(check(0).setSucceeded(false).setExceededRto(true).setDurationMillis(3_600_000)
                .setError("the restore exceeded the RTO (PT1H) and was stopped").setRecoveryPointAt(null).build());

        assertThat(restoreAlerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels()).containsEntry("alertname", "RestoreSlowerThanRto");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Restoring orders-db took 1h and was stopped, RTO 1h");
        });
    }

    @Test
    void aRecoveryPointOlderThanTheRpoAllowsFires() {
        driver.restoreCheck(check(0).setRecoveryPointAt(at(0).minus(Duration.ofMinutes(20 + 16))).build());

        assertThat(restoreAlerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels()).containsEntry("alertname", "RestorePointBeyondRpo");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Restore of orders-db reached a point 16m before its target, RPO 15m");
        });

        driver.restoreCheck(check(60).build());
        assertThat(restoreAlerts()).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void aGoodCheckFiresNothing() {
        driver.restoreCheck(check(0).build());

        assertThat(restoreAlerts()).isEmpty();
    }

    @Test
    void noSuccessfulCheckWithinMaxAgeFiresOnTheWallClockEvenWhenNoneEverArrived() {
        driver.advance(Duration.ofDays(2).minusMinutes(1));
        assertThat(restoreAlerts()).as("within maxAge (2d) of starting to watch").isEmpty();

        driver.advance(Duration.ofMinutes(2));
        assertThat(restoreAlerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels()).containsEntry("alertname", "RestoreCheckMissing");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("No successful restore check of orders-db for 2d1m");
            assertThat(alert.getAnnotations().get("description")).contains("\"every 1d\"").contains("maxAge 2d");
        });

        driver.restoreCheck(check(0).setCheckedAt(RuleDriver.T0.plus(Duration.ofDays(2)).plus(Duration.ofMinutes(2))).build());
        assertThat(restoreAlerts()).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels()).containsEntry("alertname", "RestoreCheckMissing");
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
        });
    }

    @Test
    void failedChecksDoNotCountAsSuccessForMaxAge() {
        driver.restoreCheck(check(0).build());
        driver.advance(Duration.ofDays(1));
        driver.restoreCheck(failed(86_400, "refused: backups[0].restoreCheck.scratchDirectory: /var/lib/drpilot/restore/orders-db is not empty"));
        driver.advance(Duration.ofDays(1).plusMinutes(1));

        assertThat(restoreAlerts()).extracting(alert -> alert.getLabels().get("alertname").toString())
                .containsExactly("RestoreCheckFailed", "RestoreCheckMissing");
    }
}
