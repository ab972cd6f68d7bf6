package dev.drpilot.recovery;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What recovery aims for: the end of the archived WAL ({@code latest}) or a point in time.
 *
 * @param time empty for latest
 */
public record RestoreTarget(Optional<Instant> time) {

    public static RestoreTarget latest() {
        return new RestoreTarget(Optional.empty());
    }

    public static RestoreTarget at(Instant time) {
        return new RestoreTarget(Optional.of(time));
    }

    /** {@code latest} or {@code time:<ISO-8601 instant>}, as {@code drpilot restore-check --target} takes them. */
    public static Optional<RestoreTarget> parse(String text) {
        if (text.equals("latest")) {
            return Optional.of(latest());
        }
        if (text.startsWith("time:")) {
            try {
                return Optional.of(at(Instant.parse(text.substring("time:".length()))));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** As published: {@code latest} or {@code time}. */
    public String kind() {
        return time.isPresent() ? "time" : "latest";
    }

    @Override
    public String toString() {
        return time.map(t -> "time " + t).orElse("latest");
    }
}
