package dev.drpilot.ingest.archive;

import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Source;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiveProgressTest {
    private static final long SEGMENT = 16L << 20;
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Source SOURCE = Source.newBuilder().setCollectorId("c1").setVantage("eu-1").build();

    private final ArchiveProgress progress = new ArchiveProgress("orders-db", "orders", SOURCE);

    // Each reading of a primary that writes hands out a new transaction id, unless a test says otherwise.
    private long nextXid = 1_000;

    private ArchiverReading reading(String node, long lsn, String archivedWal, Instant archivedAt, String failedWal, Instant failedAt) {
        return reading(node, lsn, archivedWal, archivedAt, failedWal, failedAt, nextXid++, true);
    }

    private static ArchiverReading reading(String node, long lsn, String archivedWal, Instant archivedAt, String failedWal, Instant failedAt,
                                           long xid, boolean quiet) {
        return new ArchiverReading(node, lsn, SEGMENT, "on", Optional.ofNullable(archivedWal), Optional.ofNullable(archivedAt),
                failedWal == null ? 0 : 3, Optional.ofNullable(failedWal), Optional.ofNullable(failedAt), xid, quiet);
    }

    private BackupObservation observe(int second, ArchiverReading reading) {
        return progress.observe(reading, T0.plusSeconds(second)).orElseThrow();
    }

    @Test
    void theRecoveryPointIsTheNewestReadingWhoseWholeWalIsArchived() {
        // Segment ...01 is archived (the archive reaches 0/2000000); the primary has written 40 bytes past it.
        BackupObservation first = observe(0, reading("pg-1", 2 * SEGMENT + 40, "000000010000000000000001", T0, null, null));
        assertThat(first.getRecoveryPointAt()).as("nothing read yet is wholly archived").isNull();
        assertThat(first.getStatus()).isEqualTo(BackupStatus.SUCCEEDED);
        assertThat(first.getTool()).isEqualTo(BackupTool.ARCHIVER);
        assertThat(first.getArchiver().getUnarchivedBytes()).isEqualTo(40);
        assertThat(first.getArchiver().getWaitingSegmentBytes()).isZero();

        observe(5, reading("pg-1", 2 * SEGMENT + 900, "000000010000000000000001", T0, null, null));
        observe(10, reading("pg-1", 3 * SEGMENT + 100, "000000010000000000000001", T0, null, null));
        // Segment ...02 archived: the archive reaches 0/3000000, past what was written at 0 s and 5 s, not at 10 s.
        BackupObservation fourth = observe(15, reading("pg-1", 3 * SEGMENT + 200, "000000010000000000000002", T0.plusSeconds(12), null, null));
        assertThat(fourth.getRecoveryPointAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(fourth.getArchiver().getArchivedEndLsn()).isEqualTo(3 * SEGMENT);
        assertThat(fourth.getArchiver().getUnarchivedBytes()).isEqualTo(200);
    }

    @Test
    void anIdlePrimaryOnTheEndOfTheArchivedSegmentIsRecoverableAsOfEachReading() {
        observe(0, reading("pg-1", 2 * SEGMENT, "000000010000000000000001", T0, null, null));
        BackupObservation later = observe(60, reading("pg-1", 2 * SEGMENT, "000000010000000000000001", T0, null, null));

        assertThat(later.getRecoveryPointAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(later.getArchiver().getUnarchivedBytes()).isZero();
    }

    @Test
    void aPrimaryThatHandsOutNoTransactionIdAfterAProvenQuietReadingStaysRecoverableDespiteItsUnarchivedTail() {
        // Seen on PostgreSQL 15: after pg_switch_wal() an idle primary writes a 96-byte standby snapshot that is never archived.
        observe(0, reading("pg-1", SEGMENT + 5_000, null, null, null, null, 500, true));
        BackupObservation switched = observe(5, reading("pg-1", 2 * SEGMENT + 96, "000000010000000000000001", T0.plusSeconds(4), null, null,
                500, true));
        assertThat(switched.getRecoveryPointAt()).as("the archive reaches the first reading, and no id was handed out since").isEqualTo(T0.plusSeconds(5));
        assertThat(switched.getArchiver().getUnarchivedBytes()).isEqualTo(96);

        BackupObservation idle = observe(60, reading("pg-1", 2 * SEGMENT + 96, "000000010000000000000001", T0.plusSeconds(4), null, null,
                500, true));
        assertThat(idle.getRecoveryPointAt()).isEqualTo(T0.plusSeconds(60));

        // A write hands out an id: from here on only the archive proves anything.
        BackupObservation wrote = observe(65, reading("pg-1", 2 * SEGMENT + 400, "000000010000000000000001", T0.plusSeconds(4), null, null,
                501, true));
        assertThat(wrote.getRecoveryPointAt()).isEqualTo(T0.plusSeconds(60));
        BackupObservation idleAgain = observe(70, reading("pg-1", 2 * SEGMENT + 400, "000000010000000000000001", T0.plusSeconds(4), null, null,
                501, true));
        assertThat(idleAgain.getRecoveryPointAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aTransactionRunningAtTheProvenReadingMayCommitLaterSoNothingAfterItIsProvenWithoutTheArchive() {
        observe(0, reading("pg-1", SEGMENT + 5_000, null, null, null, null, 500, false));
        BackupObservation later = observe(5, reading("pg-1", 2 * SEGMENT + 300, "000000010000000000000001", T0.plusSeconds(4), null, null,
                500, true));

        assertThat(later.getRecoveryPointAt()).as("the transaction running at 0 s may have committed into the unarchived tail")
                .isEqualTo(T0);
    }

    @Test
    void aFailingArchiveCommandIsReportedWithItsWalFileAndTheRecoveryPointStaysWhereItWas() {
        observe(0, reading("pg-1", 2 * SEGMENT, "000000010000000000000001", T0, null, null));
        BackupObservation failing = observe(30, reading("pg-1", 4 * SEGMENT + 10, "000000010000000000000001", T0,
                "000000010000000000000002", T0.plusSeconds(29)));

        assertThat(failing.getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(failing.getError()).contains("000000010000000000000002").contains("server log");
        assertThat(failing.getRecoveryPointAt()).isEqualTo(T0);
        ArchiverStatus status = failing.getArchiver();
        assertThat(status.getFailing()).isTrue();
        assertThat(status.getFailedWal()).isEqualTo("000000010000000000000002");
        assertThat(status.getWaitingSegmentBytes()).as("segments ...02 and ...03 wait; ...04 is still being written").isEqualTo(2 * SEGMENT);

        // A success after the failure: archiving works again.
        BackupObservation fixed = observe(90, reading("pg-1", 4 * SEGMENT + 10, "000000010000000000000003", T0.plusSeconds(85),
                "000000010000000000000002", T0.plusSeconds(29)));
        assertThat(fixed.getStatus()).isEqualTo(BackupStatus.SUCCEEDED);
        assertThat(fixed.getError()).isNull();
        assertThat(fixed.getRecoveryPointAt()).as("the readings at 30 s and 90 s each had 10 bytes past the archive")
                .isEqualTo(T0);
    }

    @Test
    void aNewPrimaryStartsItsOwnCountAndKeepsWhatTheOldOneProved() {
        observe(0, reading("pg-1", 2 * SEGMENT, "000000010000000000000001", T0, null, null));
        // Failover: pg-2 has archived nothing yet on its timeline.
        BackupObservation promoted = observe(10, reading("pg-2", 2 * SEGMENT + 500, null, null, null, null));

        assertThat(promoted.getStatus()).isEqualTo(BackupStatus.RUNNING);
        assertThat(promoted.getRecoveryPointAt()).isEqualTo(T0);
        assertThat(promoted.getArchiver().getArchivedEndLsn()).isNull();
        assertThat(promoted.getArchiver().getNode()).isEqualTo("pg-2");

        BackupObservation archived = observe(20, reading("pg-2", 3 * SEGMENT, "000000020000000000000002", T0.plusSeconds(19), null, null));
        assertThat(archived.getRecoveryPointAt()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void historyFilesAndBackupLabelsDoNotMoveTheArchiveEnd() {
        observe(0, reading("pg-1", 2 * SEGMENT + 40, "000000010000000000000001", T0, null, null));
        BackupObservation label = observe(5, reading("pg-1", 2 * SEGMENT + 80, "000000010000000000000001.00000028.backup", T0, null, null));

        assertThat(label.getArchiver().getArchivedEndLsn()).isEqualTo(2 * SEGMENT);
        assertThat(label.getRecoveryPointAt()).isNull();
    }

    @Test
    void aPrimaryThatDoesNotArchiveIsNotReported() {
        ArchiverReading off = new ArchiverReading("pg-1", 100, SEGMENT, "off", Optional.empty(), Optional.empty(), 0, Optional.empty(),
                Optional.empty(), 7, true);

        assertThat(progress.observe(off, T0)).isEmpty();
    }

    @Test
    void pendingReadingsAreBoundedAndDroppingThemOnlyMakesTheRecoveryPointOlder() {
        // Nothing archived for longer than the bound: the oldest readings are dropped.
        for (int i = 0; i <= ArchiveProgress.MAX_PENDING + 10; i++) {
            progress.observe(reading("pg-1", 2 * SEGMENT + 1 + i, "000000010000000000000001", T0, null, null), T0.plusSeconds(i));
        }
        BackupObservation caughtUp = observe(ArchiveProgress.MAX_PENDING + 20,
                reading("pg-1", 2 * SEGMENT + 1 + ArchiveProgress.MAX_PENDING + 20, "000000010000000000000001", T0, null, null));
        assertThat(caughtUp.getRecoveryPointAt()).isNull();
    }
}
