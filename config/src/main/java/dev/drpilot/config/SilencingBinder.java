package dev.drpilot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Binds {@code maintenance:} (planned windows) and {@code inhibit:} (inhibition rules; Alertmanager's defaults when absent). */
final class SilencingBinder {
    private static final Duration LONGEST = Duration.ofDays(7);

    private final Section top;

    SilencingBinder(Section top) {
        this.top = top;
    }

    List<MaintenanceWindow> maintenance(Map<String, ClusterConfig> clusters) {
        List<MaintenanceWindow> windows = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section item : top.list("maintenance")) {
            String name = item.required("name");
            item.requireUniqueName(names, name, "maintenance window");
            Optional<Schedule> schedule = item.schedule("schedule");
            if (schedule.isPresent() && !(schedule.get() instanceof Schedule.Cron)) {
                // "every 6h" counts from the previous run, which a window has not got: only a cron says when it opens.
                item.problems().add(item.child("schedule"), "\"" + schedule.get().text()
                        + "\": a maintenance window opens at cron times (e.g. \"0 2 * * 0\", Sundays 02:00 UTC), not \"every ...\"");
            }
            Duration duration = item.duration("duration", Duration.ZERO);
            if (!item.has("duration")) {
                item.problems().add(item.child("duration"), "required: how long the window stays open (e.g. 2h)");
            } else if (duration.isZero() || duration.isNegative() || duration.compareTo(LONGEST) > 0) {
                item.problems().add(item.child("duration"), Durations.format(duration) + " must be longer than 0s and at most 7d");
            }
            Matchers match = Matchers.bind(item.section("match"));
            Optional<String> pause = item.optionalString("pauseFailover");
            pause.filter(cluster -> !clusters.containsKey(cluster)).ifPresent(cluster -> item.problems().add(item.child("pauseFailover"),
                    "no cluster named \"" + cluster + "\"" + (clusters.isEmpty() ? " (no clusters are configured)"
                            : " (clusters: " + String.join(", ", clusters.keySet()) + ")")));
            if (match.isEmpty() && pause.isEmpty()) {
                item.problems().add(item.child("match"), "a window silences some alerts (match) or pauses a failover (pauseFailover), or both");
            }
            item.finish();
            schedule.filter(Schedule.Cron.class::isInstance)
                    .ifPresent(cron -> windows.add(new MaintenanceWindow(name, cron, duration, match, pause)));
        }
        return windows;
    }

    List<InhibitRule> inhibit() {
        if (!top.has("inhibit")) {
            return InhibitRule.DEFAULTS;
        }
        List<InhibitRule> rules = new ArrayList<>();
        for (Section item : top.list("inhibit")) {
            Matchers source = Matchers.bind(item.section("source"));
            Matchers target = Matchers.bind(item.section("target"));
            if (source.isEmpty()) {
                item.problems().add(item.child("source"), "required: the alerts that inhibit (e.g. {rule: primary-down})");
            }
            if (target.isEmpty()) {
                item.problems().add(item.child("target"), "required: the alerts inhibited (e.g. {rule: replication-lag})");
            }
            List<String> equal = item.strings("equal");
            for (int i = 0; i < equal.size(); i++) {
                if (!Matchers.LABELS.contains(equal.get(i))) {
                    item.problems().add(item.child("equal") + "[" + i + "]", "\"" + equal.get(i) + "\" is not a label alerts carry (labels: "
                            + String.join(", ", Matchers.LABELS) + ")");
                }
            }
            item.finish();
            rules.add(new InhibitRule(source, target, equal));
        }
        return rules;
    }
}
