package dev.drpilot.detector.rules;

import dev.drpilot.config.Durations;
import dev.drpilot.config.ExpectedCollector;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.detector.state.StoreEntries;
import dev.drpilot.events.Alert;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Rule 7, silent collector: no heartbeat from a collector for
 * {@code thresholds.collectorSilenceFactor} × its interval → WARNING, resolved by its next
 * heartbeat. A monitor that dies must not look like "all green". Watched are every collector that
 * ever sent a heartbeat and those listed in {@code expectedCollectors} (which also catches one that
 * never started).
 *
 * <p>Silence is measured on the detector's wall clock from when it last heard the collector — not
 * from the heartbeat's own timestamp, so clock skew between hosts cannot fake or hide silence — and
 * never from before the detector itself started: a detector that was down itself heard nothing,
 * which is not the collectors' fault. Runs in a single-partition sub-topology so that the expected
 * collectors are checked by exactly one task.
 */
public final class SilentCollectorRule extends RuleProcessor<CollectorHeartbeat, Alert> {
    public static final String NAME = "silent-collector";
    public static final String STORE = "collectors";
    private static final AlertLifecycle LIFECYCLE = new AlertLifecycle(Duration.ZERO, Duration.ZERO);

    private KeyValueStore<String, Heard> collectors;
    private Instant startedAt;

    /** @param lastHeardAt the detector's wall-clock time of the newest heartbeat; null if never heard */
    public record Heard(String vantage, long intervalMillis, Instant lastSentAt, Instant lastHeardAt) {
    }

    public SilentCollectorRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        collectors = context.getStateStore(STORE);
        startedAt = Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    @Override
    protected void handle(Record<String, CollectorHeartbeat> record) {
        CollectorHeartbeat heartbeat = record.value();
        if (heartbeat == null) {
            return;
        }
        Instant now = wallClock();
        Heard heard = new Heard(heartbeat.getVantage(), Math.max(1, heartbeat.getIntervalMillis()), heartbeat.getSentAt(), now);
        collectors.put(heartbeat.getCollectorId(), heard);
        evaluate(heartbeat.getCollectorId(), heard, now);
    }

    @Override
    protected void tick(Instant now) {
        for (ExpectedCollector expected : plant.config().expectedCollectors()) {
            if (collectors.get(expected.id()) == null) {
                collectors.put(expected.id(), new Heard(null, expected.heartbeatInterval().toMillis(), null, null));
            }
        }
        List<KeyValue<String, Heard>> all = StoreEntries.all(collectors);
        all.forEach(entry -> evaluate(entry.key, entry.value, now));
    }

    private void evaluate(String collectorId, Heard heard, Instant now) {
        Instant since = heard.lastHeardAt() == null || heard.lastHeardAt().isBefore(startedAt) ? startedAt : heard.lastHeardAt();
        Duration silent = Duration.between(since, now);
        Duration interval = Duration.ofMillis(heard.intervalMillis());
        Duration limit = interval.multipliedBy(plant.config().thresholds().collectorSilenceFactor());
        boolean isSilent = silent.compareTo(limit) > 0;
        AlertDraft draft = new AlertDraft(NAME, "CollectorSilent", Alerts.identity("component", "drpilot", "collector", collectorId),
                "Collector " + collectorId + " has sent no heartbeat for " + Durations.format(Duration.ofSeconds(silent.toSeconds())),
                (heard.lastHeardAt() == null ? "Collector " + collectorId + " has never been heard from"
                        : "Collector " + collectorId + (heard.vantage() == null ? "" : " (vantage " + heard.vantage() + ")")
                        + " was last heard at " + heard.lastHeardAt())
                        + "; it promises a heartbeat every " + Durations.format(interval) + ". While it is silent, what it watches"
                        + " is not watched: its probes' failures would go unseen.",
                silent.toMillis() / 1000.0, limit.toMillis() / 1000.0, "seconds", null);
        if (!isSilent && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        book.evaluate(draft, LIFECYCLE, new Evaluation(now, isSilent, isSilent, Severity.WARNING), now);
    }
}
