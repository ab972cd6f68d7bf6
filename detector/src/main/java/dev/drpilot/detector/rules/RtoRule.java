package dev.drpilot.detector.rules;

import dev.drpilot.config.Durations;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.state.StoreEntries;
import dev.drpilot.events.Alert;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rule 5, RTO breach: an incident open longer than its component's RTO → CRITICAL; when the
 * incident closes, the RESOLVED alert carries the recovery time achieved (value, seconds).
 *
 * <p>Incidents come from two places: the primary-down rule hands over its incidents (opened at
 * the first failed probe, closed when the primary answers again or another node took over), and
 * this rule opens one itself for an application or DNS component when one of its HTTP, TCP or DNS
 * probes fails {@code thresholds.probeFailures} times in a row from one vantage, closed once every
 * probe of it succeeds again. The RTO clock is checked on the wall clock: a component whose
 * collector died mid-incident still breaches.
 */
public final class RtoRule extends RuleProcessor<RtoInput, Alert> {
    public static final String NAME = "rto-breach";
    public static final String STORE = "incidents";

    private KeyValueStore<String, Tracked> tracked;

    /** What is known of one component's (or one cluster's primary's) outage. */
    public static final class Tracked {
        public String component;
        public String cluster;
        /** Consecutive failures per {@code probe@vantage}, for probe-driven incidents. */
        public Map<String, Integer> failures = new TreeMap<>();
        public Map<String, Instant> lastAt = new TreeMap<>();
        public Map<String, Instant> failingSince = new TreeMap<>();
        public String incidentId;
        public String what;
        public Instant openedAt;
    }

    public RtoRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        tracked = context.getStateStore(STORE);
    }

    @Override
    protected void handle(Record<String, RtoInput> record) {
        if (record.value() != null) {
            record.value().applyTo(this);
        }
    }

    void onIncident(IncidentEvent event) {
        String key = "cluster:" + event.cluster();
        Tracked state = tracked.get(key);
        if (event.closedAt() == null) {
            Tracked opened = state == null ? new Tracked() : state;
            opened.component = event.component();
            opened.cluster = event.cluster();
            opened.incidentId = event.incidentId();
            opened.what = event.what();
            opened.openedAt = event.openedAt();
            tracked.put(key, opened);
            evaluate(key, opened, wallClock());
        } else if (state != null && event.incidentId().equals(state.incidentId)) {
            closed(key, state, event.closedAt());
        }
    }

    void onProbe(HealthObservation observation) {
        if (observation == null || observation.getKind() == ProbeKind.POSTGRES || observation.getKind() == ProbeKind.REPLICA_WAL_RECEIVER) {
            return;   // the database's probes are the primary-down rule's, which hands over its incidents
        }
        String key = "component:" + observation.getComponent();
        Tracked state = tracked.get(key);
        if (state == null) {
            if (observation.getOk()) {
                return;   // healthy and nothing tracked: no write
            }
            state = new Tracked();
            state.component = observation.getComponent();
        }
        String probe = observation.getProbe() + "@" + observation.getSource().getVantage();
        Instant at = observation.getObservedAt();
        Instant last = state.lastAt.get(probe);
        if (last != null && at.isBefore(last)) {
            return;
        }
        state.lastAt.put(probe, at);
        int failures = observation.getOk() ? 0 : state.failures.getOrDefault(probe, 0) + 1;
        state.failures.put(probe, failures);
        if (failures == 0) {
            state.failingSince.remove(probe);
        } else if (failures == 1) {
            state.failingSince.put(probe, at);
        }
        int needed = plant.thresholds(observation.getComponent()).probeFailures();
        if (state.incidentId == null && state.failures.get(probe) >= needed) {
            state.openedAt = state.failingSince.getOrDefault(probe, at);
            state.incidentId = observation.getComponent() + "-" + state.openedAt.getEpochSecond();
            state.what = observation.getKind().name().toLowerCase() + " probe " + observation.getProbe() + " failing ("
                    + observation.getTarget() + (observation.getError() == null ? "" : ": " + observation.getError()) + ")";
            tracked.put(key, state);
            evaluate(key, state, wallClock());
        } else if (state.incidentId != null && state.failures.values().stream().allMatch(count -> count == 0)) {
            closed(key, state, at);
        } else if (state.incidentId == null && state.failures.values().stream().allMatch(count -> count == 0)) {
            tracked.delete(key);
        } else {
            tracked.put(key, state);
        }
    }

    @Override
    protected void tick(Instant now) {
        StoreEntries.all(tracked).stream().filter(entry -> entry.value.incidentId != null)
                .forEach(entry -> evaluate(entry.key, entry.value, now));
    }

    private void evaluate(String key, Tracked state, Instant now) {
        Duration rto = plant.rto(state.component);
        Duration open = Duration.between(state.openedAt, now);
        if (open.compareTo(rto) > 0) {
            book.fire(draft(state, "Recovery of " + state.component + " is taking longer than its RTO of " + Durations.format(rto),
                    "Incident " + state.incidentId + " (" + state.what + ") has been open since " + state.openedAt + ", "
                            + Durations.format(Duration.ofSeconds(open.toSeconds())) + " — beyond the RTO of " + Durations.format(rto) + ".",
                    open.toMillis() / 1000.0), state.openedAt, Severity.CRITICAL, now);
        }
    }

    private void closed(String key, Tracked state, Instant closedAt) {
        Duration achieved = Duration.between(state.openedAt, closedAt);
        Duration rto = plant.rto(state.component);
        book.resolve(draft(state, "Recovery of " + state.component + " is taking longer than its RTO of " + Durations.format(rto),
                "Incident " + state.incidentId + " (" + state.what + ") closed at " + closedAt + ": recovered in "
                        + Durations.format(Duration.ofSeconds(achieved.toSeconds())) + " (RTO " + Durations.format(rto) + ").",
                achieved.toMillis() / 1000.0), closedAt, wallClock());
        tracked.delete(key);
    }

    private AlertDraft draft(Tracked state, String summary, String description, double seconds) {
        return new AlertDraft(NAME, "RecoveryTimeObjectiveBreach", Alerts.identity("component", state.component, "cluster", state.cluster),
                summary, description, seconds, plant.rto(state.component).toMillis() / 1000.0, "seconds", state.incidentId);
    }
}
