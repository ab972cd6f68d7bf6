package dev.drpilot.ingest.archive;

import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Source;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Turns successive archiver readings of one cluster's primary into its recovery point: the newest moment at which
 * everything the primary had written was already archived.
 *
 * <p>PostgreSQL does not say when the WAL in the archive was written, only how far the archive reaches
 * ({@code last_archived_wal}). So each reading's time and WAL position are remembered, and once the archive reaches
 * past a remembered position, that reading's time is proven recoverable. This is exact to one reading interval and
 * never optimistic: {@code last_archived_time} (when the file was copied) would overstate how recent the archived
 * data is, and a primary with a part-filled segment and no {@code archive_timeout} really has unarchived writes
 * that are lost with it, however old they are.
 *
 * <p>An idle primary is not left behind: after a WAL switch it still writes a few bytes no data depends on (the
 * standby snapshot record), which no {@code archive_timeout} ever archives. So a reading also counts as proven when
 * nothing can have committed since a proven one: no transaction holding a transaction id was running at the proven
 * reading, and no transaction id was handed out since (the snapshot's xmax has not moved). Data is written only by
 * transactions that hold an id, so such a primary's recovery point moves with every reading. One gap remains, on the
 * safe side: when the last commit before the primary fell idle and the WAL switch that archived it both came between
 * two readings (and after a collector restart on an idle primary), no reading proves the idle time; the recovery point
 * then waits for the next write to be archived.
 *
 * <p>Not thread-safe: one collector thread per cluster.
 */
public final class ArchiveProgress {
    // Readings waiting for the archive to reach them; more than a day's worth at a 5 s interval. Dropping the oldest
    // only makes the recovery point older than it could be, never newer.
    static final int MAX_PENDING = 20_000;

    private final String component;
    private final String cluster;
    private final Source source;
    private final Deque<Reading> pending = new ArrayDeque<>();
    private String node;
    private Long archivedEnd;
    private Reading proven;
    private Instant recoveryPoint;

    private record Reading(Instant at, long lsn, long nextXid, boolean quiet) {
    }

    public ArchiveProgress(String component, String cluster, Source source) {
        this.component = component;
        this.cluster = cluster;
        this.source = source;
    }

    /** The observation of this reading; empty when the primary does not archive ({@code archive_mode = off}). */
    public Optional<BackupObservation> observe(ArchiverReading reading, Instant at) {
        if (!reading.archiving()) {
            return Optional.empty();
        }
        if (!reading.node().equals(node)) {
            // Another primary (a failover): its archiver counts from scratch. What the old one proved stays proven.
            node = reading.node();
            archivedEnd = null;
            proven = null;
            pending.clear();
        }
        Optional<Long> end = reading.archivedWal().flatMap(wal -> WalSegments.endOf(wal, reading.walSegmentSize()));
        if (end.isPresent() && (archivedEnd == null || end.get() > archivedEnd)) {
            archivedEnd = end.get();
        }
        pending.addLast(new Reading(at, reading.currentLsn(), reading.nextXid(), reading.quiet()));
        if (pending.size() > MAX_PENDING) {
            pending.removeFirst();
        }
        while (archivedEnd != null && !pending.isEmpty() && pending.peekFirst().lsn() <= archivedEnd) {
            proven = pending.removeFirst();
        }
        while (proven != null && proven.quiet() && !pending.isEmpty() && pending.peekFirst().nextXid() == proven.nextXid()) {
            proven = pending.removeFirst();
        }
        if (proven != null && (recoveryPoint == null || proven.at().isAfter(recoveryPoint))) {
            recoveryPoint = proven.at();
        }
        return Optional.of(observation(reading, at));
    }

    private BackupObservation observation(ArchiverReading reading, Instant at) {
        long unarchived = archivedEnd == null ? 0 : Math.max(0, reading.currentLsn() - archivedEnd);
        long waiting = archivedEnd == null ? 0
                : Math.max(0, WalSegments.segmentStart(reading.currentLsn(), reading.walSegmentSize()) - archivedEnd);
        ArchiverStatus status = ArchiverStatus.newBuilder().setNode(reading.node()).setCurrentLsn(reading.currentLsn())
                .setArchivedWal(reading.archivedWal().orElse(null)).setArchivedAt(reading.archivedAt().orElse(null))
                .setArchivedEndLsn(archivedEnd).setUnarchivedBytes(unarchived).setWaitingSegmentBytes(waiting)
                .setFailedCount(reading.failedCount()).setFailedWal(reading.failedWal().orElse(null))
                .setFailedAt(reading.failedAt().orElse(null)).setFailing(reading.failing())
                .setServerLog(log(reading).flatMap(ArchiveFailureLog::file).orElse(null))
                .setFailureMessage(log(reading).flatMap(ArchiveFailureLog::message).orElse(null))
                .setFailureDetail(log(reading).flatMap(ArchiveFailureLog::detail).orElse(null))
                .setServerLogUnread(log(reading).flatMap(ArchiveFailureLog::unread).orElse(null)).build();
        BackupStatus outcome = reading.failing() ? BackupStatus.FAILED : archivedEnd != null ? BackupStatus.SUCCEEDED : BackupStatus.RUNNING;
        return BackupObservation.newBuilder().setObservedAt(at).setSource(source).setComponent(component).setCluster(cluster)
                .setTool(BackupTool.ARCHIVER).setStatus(outcome).setRecoveryPointAt(recoveryPoint)
                .setWalSegment(reading.archivedWal().orElse(null)).setFinishLsn(archivedEnd)
                .setError(reading.failing() ? failure(reading) : null).setArchiver(status).build();
    }

    private static String failure(ArchiverReading reading) {
        return "archive_command failed for WAL file " + reading.failedWal().orElse("?") + " (newest attempt at "
                + reading.failedAt().map(Instant::toString).orElse("?") + "; " + reading.failedCount()
                + " failed attempts since the statistics were reset; newest success: "
                + reading.archivedWal().map(wal -> wal + " at " + reading.archivedAt().map(Instant::toString).orElse("?")).orElse("none")
                + "). " + commandError(reading);
    }

    /** Only a failing reading's log counts: an old failure in the log says nothing about archiving that works. */
    private static Optional<ArchiveFailureLog> log(ArchiverReading reading) {
        return reading.failing() ? reading.failureLog() : Optional.empty();
    }

    private static String commandError(ArchiverReading reading) {
        Optional<ArchiveFailureLog> log = log(reading);
        if (log.isPresent() && log.get().message().isPresent()) {
            return "Server log " + log.get().file().orElse("?") + ": " + log.get().message().get()
                    + log.get().detail().map(detail -> " / " + detail).orElse("");
        }
        String where = "The command's own error is in the server log of " + reading.node() + " (\"archive command failed with exit code ...\""
                + " near " + reading.failedAt().map(Instant::toString).orElse("the newest attempt") + ", for WAL file "
                + reading.failedWal().orElse("?") + ")";
        return where + log.flatMap(ArchiveFailureLog::unread).map(why -> "; not read here: " + why).orElse("");
    }
}
