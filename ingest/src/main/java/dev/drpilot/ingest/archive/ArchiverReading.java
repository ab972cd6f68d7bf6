package dev.drpilot.ingest.archive;

import java.time.Instant;
import java.util.Optional;

/**
 * One read of a primary's continuous archiving: {@code pg_stat_archiver} and {@code pg_current_wal_lsn()} from one
 * statement, so the position and the archiver's progress belong together.
 *
 * @param walSegmentSize {@code wal_segment_size} in bytes
 * @param archiveMode    {@code archive_mode}: off, on or always
 * @param nextXid        the next transaction id to be assigned ({@code pg_snapshot_xmax(pg_current_snapshot())}, 64-bit)
 * @param quiet          no transaction that holds a transaction id was running ({@code xmin = xmax} of the snapshot): nothing was
 *                       in the middle of writing data
 * @param failureLog     while failing: what the server log says about it ({@link ArchiveFailureLog}); empty when not looked at
 */
public record ArchiverReading(String node, long currentLsn, long walSegmentSize, String archiveMode, Optional<String> archivedWal,
                              Optional<Instant> archivedAt, long failedCount, Optional<String> failedWal, Optional<Instant> failedAt,
                              long nextXid, boolean quiet, Optional<ArchiveFailureLog> failureLog) {

    public ArchiverReading(String node, long currentLsn, long walSegmentSize, String archiveMode, Optional<String> archivedWal,
                           Optional<Instant> archivedAt, long failedCount, Optional<String> failedWal, Optional<Instant> failedAt,
                           long nextXid, boolean quiet) {
        this(node, currentLsn, walSegmentSize, archiveMode, archivedWal, archivedAt, failedCount, failedWal, failedAt, nextXid, quiet,
                Optional.empty());
    }

    public ArchiverReading withFailureLog(ArchiveFailureLog log) {
        return new ArchiverReading(node, currentLsn, walSegmentSize, archiveMode, archivedWal, archivedAt, failedCount, failedWal,
                failedAt, nextXid, quiet, Optional.of(log));
    }

    /** Archiving is configured: there is an archiver to watch. */
    public boolean archiving() {
        return !"off".equals(archiveMode);
    }

    /** The newest attempt failed: the last failure is newer than the last success (or there was none). */
    public boolean failing() {
        return failedAt.isPresent() && (archivedAt.isEmpty() || failedAt.get().isAfter(archivedAt.get()));
    }
}
