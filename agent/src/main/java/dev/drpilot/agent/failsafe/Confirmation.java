package dev.drpilot.agent.failsafe;

import java.util.Optional;

/**
 * A replica agent's answer to a failsafe question: confirmed, or refused, with the reason either way (logged on both
 * sides). On the wire: one line, {@code confirmed <reason>} or {@code refused <reason>}.
 */
public record Confirmation(boolean confirmed, String reason) {
    private static final String CONFIRMED = "confirmed";
    private static final String REFUSED = "refused";

    public static Confirmation confirm(String reason) {
        return new Confirmation(true, reason);
    }

    public static Confirmation refuse(String reason) {
        return new Confirmation(false, reason);
    }

    public String encode() {
        return (confirmed ? CONFIRMED : REFUSED) + " " + reason.replace('\n', ' ') + "\n";
    }

    /** The answer in {@code body}; empty for anything else, which the asker takes as no confirmation. */
    public static Optional<Confirmation> decode(String body) {
        String line = body.strip();
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String reason = space < 0 ? "" : line.substring(space + 1);
        if (word.equals(CONFIRMED)) {
            return Optional.of(confirm(reason));
        }
        return word.equals(REFUSED) ? Optional.of(refuse(reason)) : Optional.empty();
    }
}
