package dev.drpilot.notify.metrics;

import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Source;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BackupLedgerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static BackupObservation observation(BackupTool tool, BackupStatus status, int second, Instant recoveryPoint) {
        return BackupObservation.newBuilder().setObservedAt(T0.plusSeconds(second)).setComponent("orders-db").setCluster("orders")
                .setSource(Source.newBuilder().setCollectorId("c").setVantage("v").build()).setTool(tool).setStatus(status)
                .setRecoveryPointAt(recoveryPoint).setFinishedAt(status == BackupStatus.SUCCEEDED && tool != BackupTool.ARCHIVER ? recoveryPoint : null)
                .build();
    }

    @Test
    void continuousArchivingMovesTheRecoveryPointButIsNoBackupGoodOrFailed() {
        BackupLedger ledger = new BackupLedger();
        ledger.accept(observation(BackupTool.WAL_G, BackupStatus.SUCCEEDED, 0, T0));
        ledger.accept(observation(BackupTool.ARCHIVER, BackupStatus.SUCCEEDED, 60, T0.plusSeconds(55)));
        ledger.accept(observation(BackupTool.ARCHIVER, BackupStatus.FAILED, 90, T0.plusSeconds(55)));

        assertThat(ledger.recoveryPoint("orders-db")).contains(T0.plusSeconds(55));
        assertThat(ledger.lastGoodBackup("orders-db")).contains(T0);
        assertThat(ledger.lastFailedBackup("orders-db")).isEmpty();
    }

    @Test
    void anOlderRecoveryPointOrBackupReportedLateChangesNothing() {
        BackupLedger ledger = new BackupLedger();
        ledger.accept(observation(BackupTool.PGBACKREST, BackupStatus.SUCCEEDED, 100, T0.plusSeconds(100)));
        ledger.accept(observation(BackupTool.PGBACKREST, BackupStatus.SUCCEEDED, 120, T0.plusSeconds(10)));
        ledger.accept(observation(BackupTool.PGBACKREST, BackupStatus.FAILED, 130, null));

        assertThat(ledger.recoveryPoint("orders-db")).contains(T0.plusSeconds(100));
        assertThat(ledger.lastGoodBackup("orders-db")).contains(T0.plusSeconds(100));
        assertThat(ledger.lastFailedBackup("orders-db")).contains(T0.plusSeconds(130));
    }
}
