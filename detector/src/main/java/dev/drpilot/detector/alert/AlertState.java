package dev.drpilot.detector.alert;

import dev.drpilot.events.Severity;

import java.time.Instant;

/**
 * Where one fingerprint stands, kept in a state store between observations.
 *
 * @param since      PENDING: when the condition started holding; FIRING/RESOLVING: when the alert's condition began (startsAt)
 * @param clearSince RESOLVING: when the condition stopped holding
 * @param lastSeen   event time of the newest observation applied; older ones are late and change nothing
 */
public record AlertState(Phase phase, Instant since, Instant clearSince, Instant lastSeen, Severity severity) {

    public enum Phase { PENDING, FIRING, RESOLVING }
}
