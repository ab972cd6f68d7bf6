package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.MaintenanceWindow;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.Alert;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a drill of a cluster may start now: not while a maintenance window with {@code pauseFailover} of the cluster is
 * open, nor while the operators paused the cluster's failover (either pause holds its drills too: a drill that fails over
 * a cluster in the middle of planned work surprises the people doing it), and not while a real incident is open. What it
 * cannot read it does not guess: the drill is refused.
 */
final class Admission {
    /** How far back the audit trail and the alerts are read for incidents still open. */
    static final Duration LOOK_BACK = Duration.ofDays(1);

    private final DrpilotConfig config;
    private final ActuatorLink link;
    private final OperatorChannel operators;

    Admission(DrpilotConfig config, ActuatorLink link, OperatorChannel operators) {
        this.config = config;
        this.link = link;
        this.operators = operators;
    }

    DrillRun.Result<Void> check(DrillRun run, String cluster, Instant now, boolean incidentsMatter) throws DrillStepException {
        // The window first: it is read from the configuration, so it holds the drill even when the control topic is unreadable.
        Optional<MaintenanceWindow> window = config.maintenancePause(cluster, now);
        if (window.isPresent()) {
            String until = window.get().openUntil(now).map(Instant::toString).orElse("its end");
            throw DrillStepException.refused("failover of " + cluster + " is paused by maintenance window " + window.get().name()
                    + " until " + until, "the drill runs at its next scheduled run after the window closes; move the drill's"
                    + " schedule out of the window to have it run on time");
        }
        Optional<String> pause;
        try {
            pause = operators.pause(cluster);
        } catch (Exception e) {
            throw DrillStepException.refused("the operators' pauses could not be read (" + e.getMessage() + "): a pause could be missed",
                    "check that drpilot.failover.control is readable with the drill's Kafka credentials");
        }
        if (pause.isPresent()) {
            throw DrillStepException.refused("failover of " + cluster + " is paused: " + pause.get(),
                    "the drill runs once the pause ends (drpilot failover resume " + cluster + ")");
        }
        if (!incidentsMatter) {
            return new DrillRun.Result<>(null, cluster + " is not paused (no operator's pause, no maintenance window)");
        }
        List<ActionRecord> actions;
        List<Alert> alerts;
        try {
            actions = link.actions(now.minus(LOOK_BACK), TopicSnapshot.Unreadable.FAIL);
            alerts = link.alerts(now.minus(LOOK_BACK));
        } catch (Exception e) {
            throw DrillStepException.refused("the audit trail or the alerts could not be read whole (" + e.getMessage()
                    + "): an open incident could be missed", "check that drpilot.actions and drpilot.alerts are readable with the drill's Kafka"
                    + " credentials; an unreadable record counts until it is older than " + LOOK_BACK.toHours() + " h");
        }
        List<String> open = OpenIncidents.of(cluster, run.drill().component(), actions, alerts, now, run.runId());
        if (!open.isEmpty()) {
            throw DrillStepException.refused("an incident is open: " + String.join("; ", open),
                    "the drill runs once the incident is over; nothing to fix in the drill");
        }
        return new DrillRun.Result<>(null, cluster + " is not paused (no operator's pause, no maintenance window) and has no open incident");
    }
}
