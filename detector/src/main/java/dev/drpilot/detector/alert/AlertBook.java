package dev.drpilot.detector.alert;

import dev.drpilot.config.AlertSettings;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One rule's alerts inside its processor: where each fingerprint stands in its lifecycle (a
 * changelogged store, so a restarted or rebalanced detector neither forgets a firing alert nor
 * fires it twice), the alerts that fire now (for re-emission), and the emitting itself, keyed by
 * fingerprint so that an alert's FIRING and RESOLVED stay in order on one partition.
 */
public final class AlertBook {
    private final Consumer<Record<String, Alert>> out;
    private final KeyValueStore<String, AlertState> states;
    private final KeyValueStore<String, Alert> firing;
    private final AlertSettings settings;
    private Instant triggerTime;

    /**
     * @param out where the alerts go: the rule's processor forwards them as its own output type
     */
    public AlertBook(ProcessorContext<?, ?> context, String rule, AlertSettings settings, Consumer<Record<String, Alert>> out) {
        this.out = out;
        this.states = context.getStateStore(Stores.states(rule));
        this.firing = context.getStateStore(Stores.firing(rule));
        this.settings = settings;
    }

    /**
     * The timestamp of the input record being processed, stamped on the alerts it emits as their
     * {@code triggerTime}; null while the clock (a punctuator) drives the rule.
     */
    public void triggeredBy(Instant recordTime) {
        this.triggerTime = recordTime;
    }

    public Optional<AlertState> state(String fingerprint) {
        return Optional.ofNullable(states.get(fingerprint));
    }

    public boolean isFiring(String fingerprint) {
        return firing.get(fingerprint) != null;
    }

    /** Runs one evaluation through the lifecycle, keeps the new state and emits the transition, if any. */
    public Optional<Alert> evaluate(AlertDraft draft, AlertLifecycle lifecycle, Evaluation evaluation, Instant emittedAt) {
        String fingerprint = draft.fingerprint();
        AlertLifecycle.Step step = lifecycle.apply(state(fingerprint), evaluation);
        step.state().ifPresentOrElse(state -> states.put(fingerprint, state), () -> states.delete(fingerprint));
        return step.emit().map(transition -> emit(draft, transition, emittedAt));
    }

    /** Fires at once, for rules whose condition is already confirmed (hold counted in probes, or an explicit failure); no-op if firing. */
    public Optional<Alert> fire(AlertDraft draft, Instant startsAt, Severity severity, Instant emittedAt) {
        String fingerprint = draft.fingerprint();
        Alert current = firing.get(fingerprint);
        if (current != null && AlertLifecycle.rank(current.getSeverity()) >= AlertLifecycle.rank(severity)) {
            return Optional.empty();
        }
        Instant since = current == null ? startsAt : current.getStartsAt();
        states.put(fingerprint, new AlertState(AlertState.Phase.FIRING, since, null, emittedAt, severity));
        return Optional.of(emit(draft, new AlertLifecycle.Transition(AlertStatus.FIRING, since, null, severity), emittedAt));
    }

    /** Resolves at once, if firing. */
    public Optional<Alert> resolve(AlertDraft draft, Instant endsAt, Instant emittedAt) {
        String fingerprint = draft.fingerprint();
        Alert current = firing.get(fingerprint);
        states.delete(fingerprint);
        if (current == null) {
            return Optional.empty();
        }
        return Optional.of(emit(draft, new AlertLifecycle.Transition(AlertStatus.RESOLVED, current.getStartsAt(), endsAt,
                current.getSeverity()), emittedAt));
    }

    private Alert emit(AlertDraft draft, AlertLifecycle.Transition transition, Instant emittedAt) {
        Alert alert = Alerts.of(draft, transition,
                settings.runbookFor(draft.rule(), draft.identity().get("component"), draft.identity().get("cluster")), emittedAt);
        alert.setTriggerTime(triggerTime);
        if (transition.status() == AlertStatus.FIRING) {
            firing.put(alert.getFingerprint(), alert);
        } else {
            firing.delete(alert.getFingerprint());
        }
        out.accept(new Record<>(alert.getFingerprint(), alert, emittedAt.toEpochMilli()));
        return alert;
    }

    /**
     * Emits again every FIRING alert last emitted at least {@code alerts.reemitInterval} ago, for
     * sinks that expect reminders. Called from a wall-clock punctuator; does nothing when no
     * interval is configured.
     */
    public int reemitDue(Instant now) {
        Optional<Duration> interval = settings.reemitInterval();
        if (interval.isEmpty()) {
            return 0;
        }
        List<Alert> due = new ArrayList<>();
        try (KeyValueIterator<String, Alert> all = firing.all()) {
            while (all.hasNext()) {
                KeyValue<String, Alert> entry = all.next();
                if (!entry.value.getEmittedAt().plus(interval.get()).isAfter(now)) {
                    due.add(entry.value);
                }
            }
        }
        for (Alert alert : due) {
            // A reminder has no trigger: its latency is not the pipeline's.
            Alert again = Alert.newBuilder(alert).setEmittedAt(now).setTriggerTime(null).build();
            firing.put(again.getFingerprint(), again);
            out.accept(new Record<>(again.getFingerprint(), again, now.toEpochMilli()));
        }
        return due.size();
    }

    /** The names and builders of a rule's two stores. */
    public static final class Stores {
        private Stores() {
        }

        public static String states(String rule) {
            return rule + "-alert-states";
        }

        public static String firing(String rule) {
            return rule + "-firing-alerts";
        }
    }
}
