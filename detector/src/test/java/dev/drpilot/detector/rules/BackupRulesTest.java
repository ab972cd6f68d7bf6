package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.drpilot.detector.RuleDriver.at;
import static dev.drpilot.detector.RuleDriver.backup;
import static org.assertj.core.api.Assertions.assertThat;

/** Rules 2 and 3: a failed backup, and the age of the newest recovery point against the RPO (wall clock). */
class BackupRulesTest {
    private static final String CONFIG = """
            components:
              - {name: orders-data, kind: data, rpo: 15m}
              - {name: web, kind: application}
            backups: [{component: orders-data, tool: report-only}]
            thresholds: {recoveryPointGrace: 2m}
            alerts: {evaluationInterval: 10s}
            """;

    private final RuleDriver driver = new RuleDriver(CONFIG);

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<Alert> of(String rule) {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals(rule)).toList();
    }

    @Test
    void aFailedBackupFiresAWarningAtOnceAndANewerSuccessResolvesIt() {
        driver.backup("orders-data", backup(0, "orders-data", BackupStatus.FAILED, null));
        driver.backup("orders-data", backup(60, "orders-data", BackupStatus.FAILED, null));
        List<Alert> fired = of("backup-failed");
        assertThat(fired).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getFingerprint()).isEqualTo("backup-failed/component=orders-data");
            assertThat(alert.getAnnotations().get("description")).contains("WAL-G").contains("wal-g exited with 1: upload failed");
        });

        driver.backup("orders-data", backup(30, "orders-data", BackupStatus.SUCCEEDED, at(29)));   // late: older than the newest failure
        driver.backup("orders-data", backup(90, "orders-data", BackupStatus.RUNNING, null));
        assertThat(of("backup-failed")).isEmpty();
        driver.backup("orders-data", backup(120, "orders-data", BackupStatus.SUCCEEDED, at(119)));
        assertThat(of("backup-failed")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getEndsAt()).as("when the good backup finished").isEqualTo(at(119));
        });
    }

    @Test
    void aPollerListingTheOldNewestBackupAfterAFailureDoesNotResolveIt() {
        driver.backup("orders-data", backup(0, "orders-data", BackupStatus.SUCCEEDED, at(-3600)));
        driver.backup("orders-data", backup(60, "orders-data", BackupStatus.FAILED, null));
        BackupObservation listedAgain = backup(300, "orders-data", BackupStatus.SUCCEEDED, at(-3600));
        listedAgain.setFinishedAt(at(-3600));
        driver.backup("orders-data", listedAgain);
        assertThat(of("backup-failed")).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);

        BackupObservation fresh = backup(900, "orders-data", BackupStatus.SUCCEEDED, at(880));
        fresh.setFinishedAt(at(880));
        driver.backup("orders-data", fresh);
        assertThat(of("backup-failed")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alert.getEndsAt()).isEqualTo(at(880));
        });
    }

    @Test
    void noRecoveryPointAtAllBreachesAfterTheGraceEvenWhenNothingArrives() {
        driver.advance(Duration.ofSeconds(110));
        assertThat(of("rpo-breach")).as("within the 2m grace").isEmpty();
        driver.advance(Duration.ofSeconds(30));
        assertThat(of("rpo-breach")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getFingerprint()).isEqualTo("rpo-breach/component=orders-data");
            assertThat(alert.getAnnotations().get("summary")).startsWith("No recovery point of orders-data reported for 2m");
            assertThat(alert.getThreshold()).isEqualTo(900.0);
        });
        driver.advance(Duration.ofMinutes(10));
        assertThat(of("rpo-breach")).as("fires once").isEmpty();

        // A backup finishing now is a recovery point within the RPO: resolved at once.
        driver.backup("orders-data", backup(800, "orders-data", BackupStatus.SUCCEEDED, at(795)));
        assertThat(of("rpo-breach")).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void theNewestRecoveryPointAgingPastTheRpoBreachesOnTheWallClock() {
        driver.backup("orders-data", backup(0, "orders-data", BackupStatus.SUCCEEDED, at(-60)));
        driver.advance(Duration.ofMinutes(13));
        assertThat(of("rpo-breach")).isEmpty();
        driver.advance(Duration.ofMinutes(2).plusSeconds(10));   // the point is from a minute before T0: now 16m10s old
        assertThat(of("rpo-breach")).singleElement().satisfies(alert -> {
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Newest recovery point of orders-data is 16m10s old (RPO 15m)");
            assertThat(alert.getValue()).isGreaterThan(900.0);
        });
        // An older recovery point (a late or duplicate report) does not help.
        driver.backup("orders-data", backup(960, "orders-data", BackupStatus.SUCCEEDED, at(-600)));
        assertThat(of("rpo-breach")).isEmpty();
        driver.backup("orders-data", backup(970, "orders-data", BackupStatus.SUCCEEDED, at(965)));
        assertThat(of("rpo-breach")).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void componentsWithoutAnRpoAreNotJudged() {
        driver.backup("web", backup(0, "web", BackupStatus.SUCCEEDED, at(-100_000)));
        driver.backup("orders-data", backup(0, "orders-data", BackupStatus.SUCCEEDED, at(0)));
        driver.advance(Duration.ofMinutes(5));
        assertThat(of("rpo-breach")).isEmpty();
    }
}
