package dev.drpilot.recovery.drill;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.Alert;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a drill of a cluster may start now: not while the operators paused the cluster's failover (a pause holds its
 * drills too), and not while a real incident is open. What it cannot read it does not guess: the drill is refused.
 */
final class Admission {
    /** How far back the audit trail and the alerts are read for incidents still open. */
    static final Duration LOOK_BACK = Duration.ofDays(1);

    private final ActuatorLink link;
    private final OperatorChannel operators;

    Admission(ActuatorLink link, OperatorChannel operators) {
        this.link = link;
        this.operators = operators;
    }

    DrillRun.Result<Void> check(DrillRun run, String cluster, Instant now, boolean incidentsMatter) throws DrillStepException {
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
            return new DrillRun.Result<>(null, cluster + " is not paused");
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
        return new DrillRun.Result<>(null, cluster + " is not paused and has no open incident");
    }
}
