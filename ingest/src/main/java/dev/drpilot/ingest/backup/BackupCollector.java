package dev.drpilot.ingest.backup;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.Durations;
import dev.drpilot.events.ArchiveView;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Polls one component's backup tool and publishes what it lists as a {@link BackupObservation}.
 * A command that exits non-zero, times out or prints something unparsable becomes a FAILED
 * observation carrying its error output — never a crash and never silence.
 */
public final class BackupCollector implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BackupCollector.class);

    private final BackupSource backup;
    private final Optional<String> cluster;
    private final Source source;
    private final Producer<String, BackupObservation> producer;
    private final Clock clock;

    public BackupCollector(BackupSource backup, Optional<String> cluster, Source source,
                           Producer<String, BackupObservation> producer, Clock clock) {
        this.backup = backup;
        this.cluster = cluster;
        this.source = source;
        this.producer = producer;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            BackupObservation observation = observe();
            producer.send(new ProducerRecord<>(Topics.BACKUP_OBSERVATIONS.name(), cluster.orElse(backup.component()), observation),
                    (metadata, error) -> {
                        if (error != null) {
                            log.warn("[component={}] backup observation not delivered: {}", backup.component(), error.toString());
                        }
                    });
        } catch (RuntimeException e) {
            log.error("[component={}] backup collection failed: {}", backup.component(), e.toString(), e);
        }
    }

    BackupObservation observe() {
        Instant observedAt = clock.instant();
        String command = backup.command().orElseThrow();
        BackupCommand.Result result = BackupCommand.run(command, backup.timeout());
        ArchiveView archive = archiveView(result);
        BackupFinding finding;
        if (result.timedOut()) {
            finding = BackupFinding.failed("`" + command + "` timed out after " + Durations.format(backup.timeout())
                    + (result.stderrTail().isEmpty() ? "" : ": " + result.stderrTail()));
        } else if (!result.succeeded()) {
            finding = BackupFinding.failed("`" + command + "` exited " + result.exitCode()
                    + (result.stderrTail().isEmpty() ? "" : ": " + result.stderrTail()));
        } else {
            finding = parse(result.stdout());
        }
        if (finding.error() != null) {
            log.warn("[component={}] backup status {}: {}", backup.component(), finding.status(), finding.error());
        }
        return BackupObservation.newBuilder()
                .setObservedAt(observedAt)
                .setSource(source)
                .setComponent(backup.component())
                .setCluster(cluster.orElse(null))
                .setTool(tool())
                .setStatus(finding.status())
                .setBackupName(finding.backupName())
                .setStartedAt(finding.startedAt())
                .setFinishedAt(finding.finishedAt())
                .setRecoveryPointAt(finding.recoveryPointAt())
                .setWalSegment(finding.walSegment())
                .setStartLsn(finding.startLsn())
                .setFinishLsn(finding.finishLsn())
                .setCompressedBytes(finding.compressedBytes())
                .setUncompressedBytes(finding.uncompressedBytes())
                .setPermanent(finding.permanent())
                .setError(finding.error())
                .setArchive(archive)
                .build();
    }

    /**
     * The tool's own view of the WAL archive: pgBackRest's from the same {@code info} output, WAL-G's from the configured
     * {@code archiveCheck} command; null where neither is read. A check that cannot run reports that as its problem.
     */
    private ArchiveView archiveView(BackupCommand.Result listing) {
        try {
            if (backup.tool() == BackupSource.Tool.PGBACKREST) {
                return listing.succeeded() ? ArchiveViews.pgBackRest(listing.stdout(), backup.stanza().orElseThrow())
                        : ArchiveViews.unchecked("pgbackrest info did not run: " + failure(backup.command().orElseThrow(), listing));
            }
            if (backup.archiveCheck().isEmpty()) {
                return null;
            }
            String check = backup.archiveCheck().get();
            BackupCommand.Result result = BackupCommand.run(check, backup.timeout());
            return result.succeeded() ? ArchiveViews.walGVerify(result.stdout()) : ArchiveViews.unchecked(failure(check, result));
        } catch (UnparsableOutputException e) {
            return ArchiveViews.unchecked(e.getMessage());
        }
    }

    private String failure(String command, BackupCommand.Result result) {
        return "`" + command + "` " + (result.timedOut() ? "timed out after " + Durations.format(backup.timeout()) : "exited " + result.exitCode())
                + (result.stderrTail().isEmpty() ? "" : ": " + result.stderrTail());
    }

    private BackupFinding parse(String stdout) {
        try {
            return switch (backup.tool()) {
                case WAL_G -> WalGBackupList.parse(stdout);
                case PGBACKREST -> PgBackRestInfo.parse(stdout, backup.stanza().orElseThrow());
                case REPORT_ONLY -> throw new IllegalStateException("report-only backups are not polled");
            };
        } catch (UnparsableOutputException e) {
            String head = stdout.strip();
            return BackupFinding.failed(e.getMessage() + "; output began: "
                    + (head.length() > 200 ? head.substring(0, 200) + "..." : head));
        }
    }

    private BackupTool tool() {
        return switch (backup.tool()) {
            case WAL_G -> BackupTool.WAL_G;
            case PGBACKREST -> BackupTool.PGBACKREST;
            case REPORT_ONLY -> BackupTool.REPORT;
        };
    }
}
