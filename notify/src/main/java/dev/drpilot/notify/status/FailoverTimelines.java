package dev.drpilot.notify.status;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The action records of failovers grouped by incident, as {@code drpilot failover history} groups
 * them: each step once, in the order the runbook ran them, with its latest status (a step's
 * STARTED record is replaced by how it ended), and the summary apart. Not thread-safe: the
 * {@link StatusBoard} guards it.
 */
final class FailoverTimelines {
    private static final String SUMMARY = "summary";

    private final int keep;
    /** incident -> actionId -> newest record of that step, in order of first appearance. */
    private final Map<String, Map<String, ActionRecord>> incidents = new LinkedHashMap<>();

    /** @param keep how many incidents to show, the most recent ones */
    FailoverTimelines(int keep) {
        this.keep = keep;
    }

    void accept(ActionRecord record) {
        if (record.getIncidentId() == null || record.getKind() == ActionKind.ALERT_DELIVERY || record.getKind() == ActionKind.UNKNOWN) {
            return;
        }
        incidents.computeIfAbsent(record.getIncidentId(), id -> new LinkedHashMap<>()).put(record.getActionId(), record);
        if (incidents.size() > keep) {
            // The map's order is first appearance, which is nearly start order: drop the oldest started.
            incidents.keySet().stream().min(Comparator.comparing(id -> started(incidents.get(id).values())))
                    .ifPresent(incidents::remove);
        }
    }

    /** Newest first. */
    List<StatusSnapshot.Failover> view() {
        // Sorted by the instants, not their ISO text: fractions of a second make the text sort wrongly.
        List<String> newestFirst = new ArrayList<>(incidents.keySet());
        newestFirst.sort(Comparator.comparing((String id) -> started(incidents.get(id).values())).reversed());
        return newestFirst.stream().map(id -> view(id, incidents.get(id).values())).toList();
    }

    private static StatusSnapshot.Failover view(String incident, Collection<ActionRecord> records) {
        Optional<ActionRecord> summary = records.stream().filter(r -> SUMMARY.equals(r.getName())).reduce((a, b) -> b);
        List<StatusSnapshot.Step> steps = records.stream().filter(r -> !SUMMARY.equals(r.getName()))
                .map(r -> step(incident, r)).toList();
        Instant started = started(records);
        String cluster = records.iterator().next().getCluster();
        if (summary.isEmpty()) {
            return new StatusSnapshot.Failover(incident, cluster, started.toString(), Figures.time(started), "UNDER WAY", null, null,
                    null, null, "no summary yet", steps);
        }
        Map<String, String> figures = summary.get().getAttributes();
        Double recovery = Optional.ofNullable(figures.get("rtoMillis")).flatMap(FailoverTimelines::millis).map(ms -> ms / 1000.0).orElse(null);
        return new StatusSnapshot.Failover(incident, cluster, started.toString(), Figures.time(started),
                figures.getOrDefault("outcome", summary.get().getStatus().name()), figures.get("oldPrimary"), figures.get("newPrimary"),
                recovery, recovery == null ? null : Figures.duration(recovery), summary.get().getDetail(), steps);
    }

    private static StatusSnapshot.Step step(String incident, ActionRecord record) {
        String id = record.getActionId();
        String step = id.startsWith(incident + "/") ? id.substring(incident.length() + 1) : id;
        Long millis = record.getFinishedAt() == null || record.getStatus() == ActionStatus.STARTED ? null
                : Duration.between(record.getStartedAt(), record.getFinishedAt()).toMillis();
        String duration = millis == null ? (record.getStatus() == ActionStatus.STARTED ? "running" : "")
                : millis < 1000 ? millis + " ms" : Figures.duration(millis / 1000.0);
        return new StatusSnapshot.Step(step, record.getName(), record.getStatus().name(), millis, duration, record.getDetail());
    }

    private static Instant started(Collection<ActionRecord> records) {
        return records.stream().map(ActionRecord::getStartedAt).min(Instant::compareTo).orElse(Instant.EPOCH);
    }

    private static Optional<Long> millis(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            // The executor writes a long; a foreign record's figure is left out, not the whole failover.
            return Optional.empty();
        }
    }
}
