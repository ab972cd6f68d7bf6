package dev.drpilot.notify.silence;

import java.time.Instant;
import java.util.Optional;

/**
 * Why an alert is held back now: a silence (its id), a maintenance window (its name) or an inhibition (the firing alert
 * that inhibits it), and until when, when that is known (an inhibition lasts as long as its source fires).
 */
public record Mute(Kind kind, String by, String text, Optional<Instant> until) {
    public enum Kind {
        SILENCE, MAINTENANCE, INHIBITION;

        /** The metric's and the audit record's label: {@code silence}, {@code maintenance}, {@code inhibition}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
