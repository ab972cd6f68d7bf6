package dev.drpilot.notify.metrics;

import dev.drpilot.config.BackupOutcomes;
import dev.drpilot.events.ArchiveView;
import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Per component: the newest recovery point any observation proves (a backup's, or continuous archiving's), and the
 * newest good and failed backup, timed as the backup-failed rule times them — so that {@code /metrics}, the status page
 * and the alerts agree. Continuous archiving (tool ARCHIVER) moves the recovery point only: it is no backup, and its
 * failures are the archiving rule's; its newest reading per component is kept for the archiving gauges. Safe for concurrent readers (a scrape) while one writer feeds it.
 */
public final class BackupLedger {
    private final Map<String, Instant> recoveryPoints = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastGood = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastFailed = new ConcurrentHashMap<>();
    private final Map<String, Archiving> archiving = new ConcurrentHashMap<>();
    private final Map<String, ToolArchive> toolArchives = new ConcurrentHashMap<>();

    /** The backup tool's own view of a component's WAL archive, from its newest observation that carried one. */
    public record ToolArchive(String component, String cluster, BackupTool tool, Instant observedAt, ArchiveView view) {
    }

    /** A component's continuous archiving as its newest ARCHIVER observation read it. */
    public record Archiving(String component, String cluster, Instant observedAt, ArchiverStatus status) {
    }

    public void accept(BackupObservation observation) {
        String component = observation.getComponent();
        if (observation.getRecoveryPointAt() != null) {
            recoveryPoints.merge(component, observation.getRecoveryPointAt(), BackupLedger::newer);
        }
        if (observation.getArchive() != null && observation.getTool() != BackupTool.ARCHIVER) {
            toolArchives.merge(component + "/" + observation.getTool(), new ToolArchive(component, observation.getCluster(), observation.getTool(),
                    observation.getObservedAt(), observation.getArchive()), (known, offered) -> offered.observedAt().isBefore(known.observedAt()) ? known : offered);
        }
        if (observation.getTool() == BackupTool.ARCHIVER) {
            if (observation.getArchiver() != null) {
                archiving.merge(component, new Archiving(component, observation.getCluster(), observation.getObservedAt(), observation.getArchiver()),
                        (known, offered) -> offered.observedAt().isBefore(known.observedAt()) ? known : offered);
            }
            return;
        }
        if (observation.getStatus() == BackupStatus.SUCCEEDED) {
            lastGood.merge(component, BackupOutcomes.successAt(observation.getFinishedAt(), observation.getRecoveryPointAt(),
                    observation.getObservedAt()), BackupLedger::newer);
        } else if (observation.getStatus() == BackupStatus.FAILED) {
            lastFailed.merge(component, BackupOutcomes.failureAt(observation.getObservedAt()), BackupLedger::newer);
        }
    }

    public Optional<Instant> recoveryPoint(String component) {
        return Optional.ofNullable(recoveryPoints.get(component));
    }

    public Optional<Instant> lastGoodBackup(String component) {
        return Optional.ofNullable(lastGood.get(component));
    }

    public Optional<Instant> lastFailedBackup(String component) {
        return Optional.ofNullable(lastFailed.get(component));
    }

    /** Each component's newest view of its archive per backup tool. */
    public Collection<ToolArchive> toolArchives() {
        return toolArchives.values();
    }

    /** The problems the backup tools' newest views report for a component's archive; empty when none does. */
    public java.util.List<String> archiveProblems(String component) {
        return toolArchives.values().stream().filter(view -> view.component().equals(component))
                .flatMap(view -> view.view().getProblems().stream()).toList();
    }

    /** Each component's newest archiving reading. */
    public Collection<Archiving> archiving() {
        return archiving.values();
    }

    public void forEachRecoveryPoint(BiConsumer<String, Instant> action) {
        recoveryPoints.forEach(action);
    }

    public void forEachGoodBackup(BiConsumer<String, Instant> action) {
        lastGood.forEach(action);
    }

    public void forEachFailedBackup(BiConsumer<String, Instant> action) {
        lastFailed.forEach(action);
    }

    private static Instant newer(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
