package dev.drpilot.recovery.drill;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What makes a cluster not drillable now: a real incident. A failover of the cluster on the audit trail without its
 * summary (under way, awaiting approval, or refused for now and to be tried again), or a critical alert about the
 * cluster or its component that is still firing; or another drill of the cluster under way. A drill in the middle of either would make it worse or hide it.
 */
final class OpenIncidents {
    private static final String DEFERRED = "deferred";
    // A drill that died without its summary stops holding the cluster after this long.
    private static final Duration DRILL_WINDOW = Duration.ofHours(1);

    private OpenIncidents() {
    }

    /** Each open incident in words; empty when the cluster may be drilled. */
    static List<String> of(String cluster, String component, List<ActionRecord> actions, List<Alert> alerts, Instant now,
                           String ownRun) {
        Set<String> started = new LinkedHashSet<>();
        Set<String> ended = new LinkedHashSet<>();
        Set<String> drills = new LinkedHashSet<>();
        Set<String> drillsEnded = new LinkedHashSet<>();
        for (ActionRecord action : actions) {
            if (drillRecord(action, cluster) && !action.getIncidentId().equals(ownRun)) {
                if (action.getName().equals("start") && action.getStartedAt().isAfter(now.minus(DRILL_WINDOW))) {
                    drills.add(action.getIncidentId());
                } else if (action.getName().equals("summary")) {
                    drillsEnded.add(action.getIncidentId());
                }
                continue;
            }
            if (action.getIncidentId() == null || !cluster.equals(action.getCluster()) || !failover(action.getKind())) {
                continue;
            }
            started.add(action.getIncidentId());
            if (action.getName().equals("summary") && !"true".equals(action.getAttributes().get(DEFERRED))) {
                ended.add(action.getIncidentId());
            }
        }
        List<String> open = new ArrayList<>();
        started.stream().filter(incident -> !ended.contains(incident))
                .forEach(incident -> open.add("failover " + incident + " of " + cluster + " has no summary yet (under way)"));
        drills.stream().filter(run -> !drillsEnded.contains(run))
                .forEach(run -> open.add("drill " + run + " of " + cluster + " is under way (it counts for " + DRILL_WINDOW.toMinutes() + " min after its start)"));
        Map<String, Alert> latest = new LinkedHashMap<>();
        alerts.forEach(alert -> latest.put(alert.getFingerprint(), alert));
        latest.values().stream()
                .filter(alert -> alert.getStatus() == AlertStatus.FIRING && alert.getSeverity() == Severity.CRITICAL)
                .filter(alert -> cluster.equals(alert.getCluster()) || component.equals(alert.getComponent()))
                .forEach(alert -> open.add("alert " + alert.getRule() + " is firing for " + cluster + " (" + alert.getFingerprint() + ")"));
        return open;
    }

    private static boolean drillRecord(ActionRecord action, String cluster) {
        return action.getKind() == ActionKind.OPERATOR && action.getIncidentId() != null && cluster.equals(action.getCluster())
                && action.getAttributes().containsKey("drill");
    }

    private static boolean failover(ActionKind kind) {
        return kind == ActionKind.FAILOVER_STEP || kind == ActionKind.FAILOVER_APPROVAL || kind == ActionKind.FAILOVER_REFUSED
                || kind == ActionKind.FAILOVER_SUMMARY;
    }
}
