package dev.drpilot.detector.rules;

import dev.drpilot.config.ByteSizes;
import dev.drpilot.config.Durations;
import dev.drpilot.config.Thresholds;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Rule 11, WAL archiving: a primary's {@code archive_command} keeps failing, or completed WAL segments pile up
 * waiting for it beyond {@code thresholds.archiveBacklogBytes}, for {@code thresholds.archiveHold} → WARNING, naming
 * the WAL file it fails on. A broken {@code archive_command} is the usual way continuous archiving stops without a
 * sound: the recovery point stops moving (the recovery-point rule pages once it is older than the RPO), and the
 * waiting WAL fills the primary's disk. It resolves after {@code resolveHold} of archiving that works and keeps up.
 */
public final class ArchivingRule extends RuleProcessor<BackupObservation, Alert> {
    public static final String NAME = "archiving";

    public ArchivingRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void handle(Record<String, BackupObservation> record) {
        BackupObservation observation = record.value();
        if (observation == null || observation.getTool() != BackupTool.ARCHIVER || observation.getArchiver() == null) {
            return;
        }
        ArchiverStatus archiver = observation.getArchiver();
        String component = observation.getComponent();
        Thresholds thresholds = plant.limits(component).thresholds();
        long backlog = archiver.getWaitingSegmentBytes();
        boolean behind = backlog > thresholds.archiveBacklogBytes();
        boolean holds = archiver.getFailing() || behind;
        AlertDraft draft = new AlertDraft(NAME, "WalArchivingFailed", Alerts.identity("component", component, "cluster",
                observation.getCluster()), summary(observation, behind), description(observation, thresholds),
                (double) backlog, (double) thresholds.archiveBacklogBytes(), "bytes", null);
        if (!holds && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        book.evaluate(draft, new AlertLifecycle(thresholds.archiveHold(), thresholds.resolveHold()),
                new Evaluation(observation.getObservedAt(), holds, holds, Severity.WARNING), wallClock());
    }

    private static String summary(BackupObservation observation, boolean behind) {
        ArchiverStatus archiver = observation.getArchiver();
        if (archiver.getFailing()) {
            return "WAL archiving of " + observation.getCluster() + " fails on " + archiver.getFailedWal();
        }
        return behind ? "WAL archiving of " + observation.getCluster() + " is " + ByteSizes.format(archiver.getWaitingSegmentBytes()) + " behind"
                : "WAL archiving of " + observation.getCluster() + " works";
    }

    private static String description(BackupObservation observation, Thresholds thresholds) {
        ArchiverStatus archiver = observation.getArchiver();
        String where = "Primary " + archiver.getNode() + " of " + observation.getCluster() + ": ";
        String progress = "newest archived WAL " + (archiver.getArchivedWal() == null ? "none" : archiver.getArchivedWal()
                + " at " + archiver.getArchivedAt()) + "; " + ByteSizes.format(archiver.getWaitingSegmentBytes())
                + " of completed WAL waiting (threshold " + ByteSizes.format(thresholds.archiveBacklogBytes()) + ", held "
                + Durations.format(thresholds.archiveHold()) + ").";
        if (archiver.getFailing()) {
            return where + observation.getError() + ". " + progress + " Until it works again the recovery point does not move,"
                    + " and the waiting WAL stays in pg_wal on the primary.";
        }
        return where + progress;
    }
}
