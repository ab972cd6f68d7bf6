package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.ArchiveRange;
import dev.drpilot.events.ArchiveView;
import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.drpilot.detector.RuleDriver.at;
import static dev.drpilot.detector.RuleDriver.source;
import static org.assertj.core.api.Assertions.assertThat;

/** Rule 11: continuous WAL archiving that fails or falls behind; its recovery point feeds the RPO rule like a backup's. */
class ArchivingRuleTest {
    private static final long SEGMENT = 16L << 20;
    private static final String CONFIG = """
            components:
              - {name: orders-db, kind: database, cluster: orders, rpo: 5m}
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, role: primary, host: 10.0.0.1}]
            thresholds: {archiveHold: 30s, resolveHold: 60s, archiveBacklogBytes: 64MiB, recoveryPointGrace: 2m}
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

    private static BackupObservation archiving(double second, boolean failing, long waitingBytes, Instant recoveryPoint) {
        ArchiverStatus status = ArchiverStatus.newBuilder().setNode("pg-1").setCurrentLsn(10 * SEGMENT + 100)
                .setArchivedWal("000000010000000000000005").setArchivedAt(at(-5)).setArchivedEndLsn(6 * SEGMENT)
                .setUnarchivedBytes(4 * SEGMENT + 100).setWaitingSegmentBytes(waitingBytes).setFailedCount(failing ? 4 : 0)
                .setFailedWal(failing ? "000000010000000000000006" : null).setFailedAt(failing ? at(second - 1) : null)
                .setFailing(failing).build();
        return BackupObservation.newBuilder().setObservedAt(at(second)).setSource(source("eu-1")).setComponent("orders-db")
                .setCluster("orders").setTool(BackupTool.ARCHIVER).setStatus(failing ? BackupStatus.FAILED : BackupStatus.SUCCEEDED)
                .setRecoveryPointAt(recoveryPoint).setWalSegment("000000010000000000000005")
                .setError(failing ? "archive_command failed for WAL file 000000010000000000000006 (newest attempt at ...)" : null)
                .setArchiver(status).build();
    }

    @Test
    void aFailingArchiveCommandFiresAfterItsHoldNamingTheWalFileAndResolvesWhenArchivingWorksAgain() {
        driver.backup("orders", archiving(0, true, SEGMENT, at(-10)));
        driver.backup("orders", archiving(20, true, SEGMENT, at(-10)));
        assertThat(of("archiving")).as("within the 30 s hold: PostgreSQL retries by itself").isEmpty();

        driver.backup("orders", archiving(35, true, 2 * SEGMENT, at(-10)));
        assertThat(of("archiving")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getFingerprint()).isEqualTo("archiving/cluster=orders/component=orders-db");
            assertThat(alert.getLabels()).containsEntry("alertname", "WalArchivingFailed");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("WAL archiving of orders fails on 000000010000000000000006");
            assertThat(alert.getAnnotations().get("description")).contains("pg-1").contains("archive_command failed for WAL file 000000010000000000000006");
            assertThat(alert.getStartsAt()).isEqualTo(at(0));
        });
        assertThat(of("backup-failed")).as("archiving is no backup").isEmpty();

        driver.backup("orders", archiving(60, false, 0, at(60)));
        driver.backup("orders", archiving(100, false, 0, at(100)));
        assertThat(of("archiving")).as("clear for less than the 60 s resolve hold").isEmpty();
        driver.backup("orders", archiving(125, false, 0, at(125)));
        assertThat(of("archiving")).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void completedSegmentsPilingUpBeyondTheBacklogThresholdFireAsArchivingBehind() {
        driver.backup("orders", archiving(0, false, 5 * SEGMENT, at(-10)));
        driver.backup("orders", archiving(40, false, 6 * SEGMENT, at(-10)));

        assertThat(of("archiving")).singleElement().satisfies(alert -> {
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("WAL archiving of orders is 96MiB behind");
            assertThat(alert.getValue()).isEqualTo(6.0 * SEGMENT);
            assertThat(alert.getThreshold()).isEqualTo(64.0 * (1 << 20));
        });
    }

    @Test
    void theArchivesRecoveryPointKeepsTheRpoRuleQuietAndItsStandstillBreachesIt() {
        driver.backup("orders", archiving(0, false, 0, at(0)));
        driver.advance(Duration.ofMinutes(4));
        assertThat(of("rpo-breach")).isEmpty();

        // archive_command breaks: the recovery point stays at 0 s; after the 5m RPO the database's RPO is breached.
        driver.backup("orders", archiving(250, true, SEGMENT, at(0)));
        driver.advance(Duration.ofMinutes(2));
        assertThat(of("rpo-breach")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
        });
    }

    private static BackupObservation pgBackRest(double second, String... problems) {
        ArchiveView view = ArchiveView.newBuilder().setRanges(List.of(ArchiveRange.newBuilder().setId("15-1")
                .setMin("000000010000000000000005").setMax("000000010000000000000011").build()))
                .setNewestWal("000000010000000000000011").setProblems(List.of(problems)).build();
        return BackupObservation.newBuilder().setObservedAt(at(second)).setSource(source("eu-1")).setComponent("orders-db")
                .setCluster("orders").setTool(BackupTool.PGBACKREST).setStatus(BackupStatus.SUCCEEDED).setBackupName("20261201-010000F")
                .setFinishedAt(at(-100)).setRecoveryPointAt(at(-100)).setArchive(view).build();
    }

    @Test
    void aGapTheBackupToolReportsFiresTheArchivingAlertNamingItAndResolvesWhenItIsGone() {
        String gap = "WAL is missing from the archive: backup 20261201-010000F needs it from 000000010000000000000004,"
                + " the archive (15-1) starts at 000000010000000000000005";
        driver.backup("orders", pgBackRest(0, gap));
        assertThat(of("archiving")).as("within the 30 s hold").isEmpty();
        driver.backup("orders", pgBackRest(35, gap));

        assertThat(of("archiving")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getFingerprint()).isEqualTo("archiving/cluster=orders/component=orders-db/tool=pgbackrest");
            assertThat(alert.getLabels()).containsEntry("alertname", "WalArchivingFailed");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("WAL archive of orders: pgbackrest reports " + gap);
            assertThat(alert.getAnnotations().get("description")).contains("15-1 000000010000000000000005..000000010000000000000011");
        });
        assertThat(of("backup-failed")).as("the backup itself is fine").isEmpty();

        driver.backup("orders", pgBackRest(60));
        driver.backup("orders", pgBackRest(125));
        assertThat(of("archiving")).last().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void aToolThatReportsNoProblemRaisesNothing() {
        driver.backup("orders", pgBackRest(0));
        driver.backup("orders", pgBackRest(60));
        assertThat(of("archiving")).isEmpty();
    }

    @Test
    void theArchiveCommandsOwnErrorFromTheServerLogIsInTheAlert() {
        BackupObservation failing = archiving(0, true, SEGMENT, at(-10));
        failing.setError(failing.getError() + " Server log log/postgresql.log: 2026-12-01 23:11:00 UTC [411] LOG:  archive command failed"
                + " with exit code 3 / 2026-12-01 23:11:00 UTC [411] DETAIL:  The failed archive command was: cp %p /nfs/archive/%f");
        driver.backup("orders", failing);
        BackupObservation later = archiving(35, true, SEGMENT, at(-10));
        later.setError(failing.getError());
        driver.backup("orders", later);

        assertThat(of("archiving")).singleElement().satisfies(alert -> assertThat(alert.getAnnotations().get("description"))
                .contains("archive command failed with exit code 3").contains("The failed archive command was: cp %p /nfs/archive/%f"));
    }
}
