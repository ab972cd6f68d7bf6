package dev.drpilot.failover;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The failovers on record, as {@code drpilot failover history} prints them: one block per
 * incident — when, which cluster, how it ended, the recovery time and the data-loss estimate —
 * and its steps in order with their outcome, duration and detail.
 */
public final class FailoverHistory {
    private FailoverHistory() {
    }

    public static String format(List<ActionRecord> records) {
        Map<String, List<ActionRecord>> incidents = new LinkedHashMap<>();
        for (ActionRecord record : records) {
            if (record.getIncidentId() != null && record.getKind() != ActionKind.ALERT_DELIVERY && record.getKind() != ActionKind.UNKNOWN) {
                incidents.computeIfAbsent(record.getIncidentId(), id -> new ArrayList<>()).add(record);
            }
        }
        if (incidents.isEmpty()) {
            return "no failovers on record\n";
        }
        StringBuilder out = new StringBuilder();
        incidents.forEach((incident, steps) -> {
            ActionRecord summary = steps.stream().filter(r -> r.getName().equals("summary")).reduce((a, b) -> b).orElse(null);
            Instant started = steps.stream().map(ActionRecord::getStartedAt).min(Instant::compareTo).orElseThrow();
            out.append(String.format(Locale.ROOT, "%s  %s  cluster %s  %s%n", started, incident, steps.get(0).getCluster(),
                    summary != null ? outcome(summary) : rejoin(steps).orElse("UNDER WAY (no summary yet)")));
            for (ActionRecord step : steps) {
                if (step == summary || step.getStatus() == ActionStatus.STARTED && finished(steps, step)) {
                    continue;
                }
                String duration = step.getFinishedAt() == null ? "" : Duration.between(step.getStartedAt(), step.getFinishedAt()).toMillis() + " ms";
                out.append(String.format(Locale.ROOT, "    %-22s %-9s %9s  %s%n", step.getActionId().substring(incident.length() + 1),
                        step.getStatus(), duration, step.getDetail()));
            }
        });
        return out.toString();
    }

    /** A rejoin has no summary: its newest record (the request, then the agent's reply) says where it stands. */
    private static Optional<String> rejoin(List<ActionRecord> records) {
        return records.stream().filter(record -> record.getKind() == ActionKind.REJOIN).reduce((a, b) -> b)
                .map(record -> "REJOIN " + record.getAttributes().getOrDefault("node", "?") + " "
                        + (record.getStatus() == ActionStatus.STARTED ? "REQUESTED (waiting for its agent's reply)" : record.getStatus().name()));
    }

    private static boolean finished(List<ActionRecord> steps, ActionRecord started) {
        return steps.stream().anyMatch(r -> r.getActionId().equals(started.getActionId()) && r.getStatus() != ActionStatus.STARTED);
    }

    private static String outcome(ActionRecord summary) {
        Map<String, String> figures = summary.getAttributes();
        StringBuilder text = new StringBuilder(figures.getOrDefault("outcome", summary.getStatus().name()));
        if (figures.containsKey("oldPrimary") || figures.containsKey("newPrimary")) {
            text.append("  ").append(figures.getOrDefault("oldPrimary", "?")).append(" -> ").append(figures.getOrDefault("newPrimary", "-"));
        }
        if (figures.containsKey("rtoMillis")) {
            text.append(String.format(Locale.ROOT, "  recovery %.1f s", Long.parseLong(figures.get("rtoMillis")) / 1000.0));
        }
        if (figures.containsKey("dataLossBytes")) {
            text.append("  data loss ~").append(figures.get("dataLossBytes")).append(" bytes / ").append(figures.getOrDefault("lagSeconds", "0")).append(" s");
        }
        if (summary.getStatus() != ActionStatus.SUCCEEDED) {
            text.append("  — ").append(summary.getDetail());
        }
        return text.toString();
    }
}
