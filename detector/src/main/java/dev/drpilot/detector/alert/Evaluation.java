package dev.drpilot.detector.alert;

import dev.drpilot.events.Severity;

import java.time.Instant;

/**
 * One observation as a rule sees it: does the condition hold at this event time, with what value
 * and severity. {@code stillHolds} is the weaker test an alert that already fires is kept on
 * (hysteresis: a value hovering at the threshold does not flap).
 */
public record Evaluation(Instant at, boolean holds, boolean stillHolds, Severity severity) {
}
