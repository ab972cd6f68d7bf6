package dev.drpilot.detector.rules;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.Durations;
import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.detector.state.StoreEntries;
import dev.drpilot.events.Alert;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Rule 12, restore checks: what the latest restore check of a component proved, against its plan.
 * Four alerts, each WARNING (nothing is down; the next outage would find it), each resolved by a
 * later check that no longer shows it:
 * <ul>
 *   <li>{@code RestoreCheckFailed}: the backup could not be restored, recovery did not reach the target,
 *       a check query failed, or the check was refused (scratch directory not empty, port in use);</li>
 *   <li>{@code RestoreSlowerThanRto}: the restore took (or was stopped at) longer than the component's RTO;</li>
 *   <li>{@code RestorePointBeyondRpo}: the newest commit recovered is older than the RPO allows, counted
 *       from the target (or, for {@code latest}, from when the check started);</li>
 *   <li>{@code RestoreCheckMissing}: a component with a scheduled check has had no successful one within
 *       {@code restoreCheck.maxAge}. Silence must not look like health: this runs on the wall clock, in a
 *       single-partition sub-topology that knows every component, and counts from when the detector first
 *       watched a component that never reported.</li>
 * </ul>
 */
public final class RestoreCheckRule extends RuleProcessor<RestoreCheck, Alert> {
    public static final String NAME = "restore-check";
    public static final String STORE = "restore-checks";
    private static final AlertLifecycle LIFECYCLE = new AlertLifecycle(Duration.ZERO, Duration.ZERO);

    private KeyValueStore<String, Track> tracks;
    private Instant startedAt;

    /**
     * @param lastSuccess  when the newest successful check finished; null while none
     * @param watchedSince wall-clock time the detector started watching the component
     */
    public record Track(Instant lastSuccess, Instant watchedSince) {
    }

    public RestoreCheckRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        tracks = context.getStateStore(STORE);
        startedAt = Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    @Override
    protected void handle(Record<String, RestoreCheck> record) {
        RestoreCheck check = record.value();
        if (check == null) {
            return;
        }
        String component = check.getComponent().toString();
        Instant now = wallClock();
        Instant at = check.getCheckedAt();
        Track known = tracks.get(component);
        Instant lastSuccess = known == null ? null : known.lastSuccess();
        if (check.getSucceeded() && (lastSuccess == null || at.isAfter(lastSuccess))) {
            lastSuccess = at;
        }
        Track updated = new Track(lastSuccess, known == null ? now : known.watchedSince());
        if (!updated.equals(known)) {
            tracks.put(component, updated);
        }

        boolean failed = !check.getSucceeded() && !check.getExceededRto();
        evaluate(draft("RestoreCheckFailed", component, "Restore check of " + component + " failed",
                failedDescription(check), 0, 0, "checks"), failed, at, now);
        Duration took = Duration.ofMillis(check.getDurationMillis());
        Duration rto = Duration.ofMillis(check.getRtoMillis());
        evaluate(draft("RestoreSlowerThanRto", component, "Restoring " + component + " took " + Durations.format(seconds(took))
                        + (check.getSucceeded() ? "" : " and was stopped") + ", RTO " + Durations.format(rto),
                "A restore of " + component + " from backup (" + check.getTool() + " " + nameOf(check) + ") took "
                        + Durations.format(seconds(took)) + ", longer than its RTO of " + Durations.format(rto)
                        + ": restoring from backup in a disaster would miss the RTO. Faster storage for the repository, parallel"
                        + " restore (pgBackRest process-max, WALG_DOWNLOAD_CONCURRENCY), more frequent base backups (less WAL to"
                        + " replay), or a longer RTO in the plan.", took.toMillis() / 1000.0, rto.toMillis() / 1000.0, "seconds"),
                check.getExceededRto(), at, now);
        rpoGap(check).ifPresent(gap -> {
            Duration rpo = Duration.ofMillis(check.getRpoMillis());
            evaluate(draft("RestorePointBeyondRpo", component, "Restore of " + component + " reached a point "
                            + Durations.format(seconds(gap)) + " before its target, RPO " + Durations.format(rpo),
                    "The restore check of " + component + " aimed at " + reference(check) + " and recovered up to "
                            + check.getRecoveryPointAt() + " (the newest commit replayed): restoring now would lose "
                            + Durations.format(seconds(gap)) + " of data, more than the RPO of " + Durations.format(rpo)
                            + ". Check that WAL archiving keeps up (rule archiving) and that the backup tool's archive covers the"
                            + " target. An idle database commits nothing: give it a heartbeat write, or this measures idleness.",
                    gap.toMillis() / 1000.0, rpo.toMillis() / 1000.0, "seconds"), gap.compareTo(rpo) > 0, at, now);
        });
        missing(component, updated, now);
    }

    @Override
    protected void tick(Instant now) {
        for (BackupSource backup : plant.config().backups()) {
            if (scheduled(backup.component()).isPresent() && tracks.get(backup.component()) == null) {
                tracks.put(backup.component(), new Track(null, startedAt));
            }
        }
        List<KeyValue<String, Track>> all = StoreEntries.all(tracks);
        all.forEach(entry -> missing(entry.key, entry.value, now));
    }

    private void missing(String component, Track track, Instant now) {
        Optional<RestoreCheckSettings> settings = scheduled(component);
        if (settings.isEmpty()) {
            return;
        }
        Duration maxAge = settings.get().maxAge();
        Instant since = track.lastSuccess() == null ? track.watchedSince() : track.lastSuccess();
        Duration silent = Duration.between(since, now);
        String summary = track.lastSuccess() == null
                ? "No successful restore check of " + component + " for " + Durations.format(seconds(silent))
                : "Newest successful restore check of " + component + " is " + Durations.format(seconds(silent)) + " old";
        String description = "Its restore check runs on the schedule \"" + settings.get().schedule().orElseThrow().text()
                + "\"; none succeeded within maxAge " + Durations.format(maxAge) + (track.lastSuccess() == null
                ? " since drpilot started watching at " + track.watchedSince() : " (the newest at " + track.lastSuccess() + ")")
                + ". Is `drpilot recovery` running on the restore host, and do its checks fail (RestoreCheckFailed)?";
        evaluate(draft("RestoreCheckMissing", component, summary, description, silent.toMillis() / 1000.0, maxAge.toMillis() / 1000.0,
                "seconds"), silent.compareTo(maxAge) > 0, now, now);
    }

    private Optional<RestoreCheckSettings> scheduled(String component) {
        return plant.config().backups().stream().filter(backup -> backup.component().equals(component))
                .flatMap(backup -> backup.restoreCheck().stream()).filter(check -> check.schedule().isPresent()).findFirst();
    }

    /** How far the point recovered lies behind what was aimed at; empty when it cannot be judged. */
    private static Optional<Duration> rpoGap(RestoreCheck check) {
        if (check.getRpoMillis() == null || check.getRecoveryPointAt() == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(check.getRecoveryPointAt(), reference(check)));
    }

    private static Instant reference(RestoreCheck check) {
        return check.getTargetTime() != null ? check.getTargetTime() : check.getStartedAt();
    }

    private static String failedDescription(RestoreCheck check) {
        String failedQueries = check.getChecks().stream().filter(query -> !query.getPassed())
                .map(query -> query.getName() + " (" + query.getDetail() + ")").collect(Collectors.joining(", "));
        return "Restoring " + check.getComponent() + " on " + check.getHost() + " with " + check.getTool() + " (" + nameOf(check)
                + ", target " + reference(check) + ") did not prove the backup usable: " + check.getError()
                + (failedQueries.isEmpty() ? "" : ". Failed checks: " + failedQueries)
                + ". Until a restore check succeeds, assume this backup cannot be restored.";
    }

    private static String nameOf(RestoreCheck check) {
        return check.getBackupName() == null ? "backup unknown" : "backup " + check.getBackupName();
    }

    private AlertDraft draft(String alertname, String component, String summary, String description, double value, double threshold,
                             String unit) {
        String cluster = plant.component(component).flatMap(c -> c.cluster()).orElse(null);
        return new AlertDraft(NAME, alertname, Alerts.identity("component", component, "cluster", cluster, "finding", finding(alertname)),
                summary, description, value, threshold, unit, null);
    }

    /** Each finding its own alert: a failed check and a slow one are fixed by different people, and resolve apart. */
    private static String finding(String alertname) {
        return switch (alertname) {
            case "RestoreCheckFailed" -> "failed";
            case "RestoreSlowerThanRto" -> "rto";
            case "RestorePointBeyondRpo" -> "rpo";
            default -> "missing";
        };
    }

    private void evaluate(AlertDraft draft, boolean holds, Instant at, Instant now) {
        if (!holds && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        book.evaluate(draft, LIFECYCLE, new Evaluation(at, holds, holds, Severity.WARNING), now);
    }

    private static Duration seconds(Duration duration) {
        return Duration.ofSeconds(Math.max(0, duration.toSeconds()));
    }
}
