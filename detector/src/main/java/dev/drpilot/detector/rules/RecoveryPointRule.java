package dev.drpilot.detector.rules;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.ComponentLimits;
import dev.drpilot.config.Durations;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.detector.state.StoreEntries;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Rule 3, recovery point / RPO breach: per component with an RPO, the age of the newest point in
 * time a backup observation proves recoverable (a good backup's finish, or the newest archived WAL)
 * must stay within the RPO; beyond it → CRITICAL, until a newer recovery point arrives.
 *
 * <p>Age grows while nothing arrives, so this rule runs on the wall clock. A component that has a
 * backup source configured but never reported anything breaches once
 * {@code thresholds.recoveryPointGrace} has passed since the detector first watched it: silence
 * must not look like health. The rule runs in a single-partition sub-topology, so exactly one task
 * knows every component and the configured-but-silent ones are checked once, not once per task.
 */
public final class RecoveryPointRule extends RuleProcessor<BackupObservation, Alert> {
    public static final String NAME = "rpo-breach";
    public static final String STORE = "recovery-points";
    private static final AlertLifecycle LIFECYCLE = new AlertLifecycle(Duration.ZERO, Duration.ZERO);

    private KeyValueStore<String, RecoveryPoint> points;
    private Instant startedAt;

    /**
     * @param newest       the newest recovery point seen; null while none
     * @param watchedSince wall-clock time the detector started watching the component
     */
    public record RecoveryPoint(String cluster, Instant newest, Instant watchedSince) {
    }

    public RecoveryPointRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        points = context.getStateStore(STORE);
        startedAt = Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    @Override
    protected void handle(Record<String, BackupObservation> record) {
        BackupObservation observation = record.value();
        if (observation == null || plant.rpo(observation.getComponent()).isEmpty()) {
            return;
        }
        Instant now = wallClock();
        String component = observation.getComponent();
        RecoveryPoint known = points.get(component);
        Instant newest = known == null ? null : known.newest();
        Instant offered = observation.getRecoveryPointAt();
        if (offered != null && (newest == null || offered.isAfter(newest))) {
            newest = offered;
        }
        RecoveryPoint updated = new RecoveryPoint(observation.getCluster(), newest, known == null ? now : known.watchedSince());
        if (!updated.equals(known)) {
            points.put(component, updated);
        }
        evaluate(component, updated, now);
    }

    @Override
    protected void tick(Instant now) {
        for (BackupSource backup : plant.config().backups()) {
            if (plant.rpo(backup.component()).isPresent() && points.get(backup.component()) == null) {
                String cluster = plant.component(backup.component()).flatMap(c -> c.cluster()).orElse(null);
                points.put(backup.component(), new RecoveryPoint(cluster, null, startedAt));
            }
        }
        List<KeyValue<String, RecoveryPoint>> all = StoreEntries.all(points);
        all.forEach(entry -> evaluate(entry.key, entry.value, now));
    }

    private void evaluate(String component, RecoveryPoint point, Instant now) {
        ComponentLimits limits = plant.limits(component);
        Optional<Duration> rpo = limits.rpo();
        if (rpo.isEmpty()) {
            return;
        }
        Duration grace = limits.thresholds().recoveryPointGrace();
        boolean breached;
        String summary;
        String description;
        double ageSeconds;
        if (point.newest() == null) {
            Duration waited = Duration.between(point.watchedSince(), now);
            breached = limits.noRecoveryPointTooLong(point.watchedSince(), now);
            ageSeconds = waited.toMillis() / 1000.0;
            summary = "No recovery point of " + component + " reported for " + Durations.format(truncate(waited));
            description = "No backup of " + component + " has reported a recoverable point since drpilot started watching it at "
                    + point.watchedSince() + " (grace " + Durations.format(grace) + ", RPO " + Durations.format(rpo.get())
                    + "). Check that the backup job runs and reports (drpilot emit backup, or the backup poller).";
        } else {
            Duration age = Duration.between(point.newest(), now);
            breached = limits.recoveryPointOverRpo(point.newest(), now);
            ageSeconds = Math.max(0, age.toMillis() / 1000.0);
            summary = "Newest recovery point of " + component + " is " + Durations.format(truncate(age)) + " old (RPO "
                    + Durations.format(rpo.get()) + ")";
            description = "The newest recoverable point of " + component + " is " + point.newest() + "; losing the data now would lose "
                    + Durations.format(truncate(age)) + " of it, more than the RPO of " + Durations.format(rpo.get()) + ".";
        }
        AlertDraft draft = new AlertDraft(NAME, "RecoveryPointObjectiveBreach", Alerts.identity("component", component, "cluster", point.cluster()),
                summary, description, ageSeconds, rpo.get().toMillis() / 1000.0, "seconds", null);
        if (!breached && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        book.evaluate(draft, LIFECYCLE, new Evaluation(now, breached, breached, Severity.CRITICAL), now);
    }

    private static Duration truncate(Duration duration) {
        return Duration.ofSeconds(Math.max(0, duration.toSeconds()));
    }
}
