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
import dev.drpilot.events.ArchiveView;
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
        if (observation != null && observation.getArchive() != null && observation.getTool() != BackupTool.ARCHIVER) {
            toolView(observation);
            return;
        }
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

    /**
     * The backup tool's own view of the archive (pgBackRest's info, WAL-G's wal-verify): a gap or a problem it reports is
     * an archiving problem even while {@code pg_stat_archiver} looks fine — PITR across a lost segment is impossible. One
     * alert per tool, beside the archiver's, held and resolved alike.
     */
    private void toolView(BackupObservation observation) {
        ArchiveView archive = observation.getArchive();
        String component = observation.getComponent();
        Thresholds thresholds = plant.limits(component).thresholds();
        String tool = observation.getTool().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        boolean holds = !archive.getProblems().isEmpty();
        String subject = observation.getCluster() != null ? observation.getCluster() : component;
        String summary = holds ? "WAL archive of " + subject + ": " + tool + " reports " + archive.getProblems().get(0)
                : "WAL archive of " + subject + ": " + tool + " reports no problem";
        String ranges = archive.getRanges().isEmpty() ? "no WAL listed" : archive.getRanges().stream()
                .map(range -> range.getId() + " " + range.getMin() + ".." + range.getMax()).collect(java.util.stream.Collectors.joining(", "));
        String description = "The backup tool's own check of the WAL archive of " + subject + " (" + tool + "): "
                + (holds ? String.join("; ", archive.getProblems()) + ". A restore to a point past a gap fails." : "no problem.")
                + " Archive holds: " + ranges + ".";
        AlertDraft draft = new AlertDraft(NAME, "WalArchivingFailed", Alerts.identity("component", component, "cluster",
                observation.getCluster(), "tool", tool), summary, description, (double) archive.getProblems().size(), 0.0, "problems", null);
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
