package dev.drpilot.ingest.backup;

import dev.drpilot.events.BackupStatus;

import java.time.Instant;

/** What a backup tool's listing, or a failed run of it, says about a component's recovery point. */
record BackupFinding(BackupStatus status, String backupName, Instant startedAt, Instant finishedAt, Instant recoveryPointAt,
                     String walSegment, Long startLsn, Long finishLsn, Long compressedBytes, Long uncompressedBytes,
                     boolean permanent, String error) {

    static BackupFinding failed(String error) {
        return new BackupFinding(BackupStatus.FAILED, null, null, null, null, null, null, null, null, null, false, error);
    }

    static BackupFinding missing(String why) {
        return new BackupFinding(BackupStatus.MISSING, null, null, null, null, null, null, null, null, null, false, why);
    }
}
