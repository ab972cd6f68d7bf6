package dev.drpilot.detector.rules;

import dev.drpilot.config.BackupOutcomes;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Duration;
import java.time.Instant;

/**
 * Rule 2, backup failed: a FAILED backup observation (a failed {@code backup-push} reported by its
 * job, or a backup tool that could not be read) fires a WARNING at once — the DR plan sends it by
 * email; whether it endangers the RPO is the recovery-point rule's call. A SUCCEEDED backup that
 * finished after the failure resolves it; one that finished before (a late report, or a poller
 * listing the same old newest backup again) changes nothing. When an outcome counts is decided
 * by {@link BackupOutcomes}, shared with the status page and {@code /metrics}.
 */
public final class BackupFailedRule extends RuleProcessor<BackupObservation, Alert> {
    public static final String NAME = "backup-failed";
    private static final AlertLifecycle LIFECYCLE = new AlertLifecycle(Duration.ZERO, Duration.ZERO);

    public BackupFailedRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void handle(Record<String, BackupObservation> record) {
        BackupObservation observation = record.value();
        if (observation == null || observation.getTool() == BackupTool.ARCHIVER) {
            return;   // continuous archiving is no backup: the archiving rule judges it
        }
        boolean failed = observation.getStatus() == BackupStatus.FAILED;
        if (!failed && observation.getStatus() != BackupStatus.SUCCEEDED) {
            return;   // RUNNING says nothing yet; MISSING (no backup at all) is the recovery-point rule's
        }
        String component = observation.getComponent();
        AlertDraft draft = new AlertDraft(NAME, "BackupFailed", Alerts.identity("component", component, "cluster", observation.getCluster()),
                "Backup of " + component + " failed",
                !failed ? "A newer " + tool(observation) + " backup of " + component + " succeeded at " + observation.getObservedAt() + "."
                        : "The " + tool(observation) + " backup" + (observation.getBackupName() == null ? "" : " " + observation.getBackupName())
                        + " of " + component + " failed at " + observation.getObservedAt()
                        + (observation.getError() == null ? "" : ": " + observation.getError()),
                null, null, null, null);
        if (!failed && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        Instant at = failed ? BackupOutcomes.failureAt(observation.getObservedAt())
                : BackupOutcomes.successAt(observation.getFinishedAt(), observation.getRecoveryPointAt(), observation.getObservedAt());
        book.evaluate(draft, LIFECYCLE, new Evaluation(at, failed, failed, Severity.WARNING), wallClock());
    }

    private static String tool(BackupObservation observation) {
        return switch (observation.getTool()) {
            case WAL_G -> "WAL-G";
            case PGBACKREST -> "pgBackRest";
            case REPORT -> "reported";
            default -> "";
        };
    }
}
