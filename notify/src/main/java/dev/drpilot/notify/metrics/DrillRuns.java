package dev.drpilot.notify.metrics;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The newest run of each drill and its newest success, from the drills' summaries on {@code drpilot.actions} (kind
 * {@code OPERATOR}, name {@code summary}, attribute {@code drill}). Not thread-safe: its owner guards it.
 */
public final class DrillRuns {
    private static final String SUMMARY = "summary";

    /** One drill's newest run as its summary told it. */
    public record Run(String runId, String outcome, Instant finishedAt, Optional<Duration> rto, Optional<Duration> rpo, String detail) {
        public boolean passed() {
            return outcome.equals("PASSED");
        }
    }

    private final Map<String, Run> last = new LinkedHashMap<>();
    private final Map<String, Instant> lastSuccess = new LinkedHashMap<>();

    public void accept(ActionRecord record) {
        String drill = record.getAttributes().get("drill");
        if (record.getKind() != ActionKind.OPERATOR || drill == null || !SUMMARY.equals(record.getName())) {
            return;
        }
        Instant finished = record.getFinishedAt() == null ? record.getStartedAt() : record.getFinishedAt();
        Run run = new Run(record.getIncidentId(), record.getAttributes().getOrDefault("outcome", record.getStatus().name()), finished,
                millis(record.getAttributes().get("rtoMillis")), millis(record.getAttributes().get("rpoMillis")), record.getDetail());
        Run previous = last.get(drill);
        if (previous == null || !previous.finishedAt().isAfter(finished)) {
            last.put(drill, run);
        }
        if (run.passed()) {
            lastSuccess.merge(drill, finished, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    public Optional<Run> last(String drill) {
        return Optional.ofNullable(last.get(drill));
    }

    public Optional<Instant> lastSuccess(String drill) {
        return Optional.ofNullable(lastSuccess.get(drill));
    }

    public Map<String, Instant> lastSuccesses() {
        return Map.copyOf(lastSuccess);
    }

    public Map<String, Run> all() {
        return Map.copyOf(last);
    }

    private static Optional<Duration> millis(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Duration.ofMillis(Long.parseLong(text)));
        } catch (NumberFormatException e) {
            // The drill writes a long; a foreign record's figure is left out, not the run.
            return Optional.empty();
        }
    }
}
