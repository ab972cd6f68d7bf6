package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The candidate's address written where clients read the primary's: its {@code host}, or
 * {@code host:port} where the value being replaced has that shape, so a repoint keeps the format
 * the application parses. Anything else (a URL, a list) is not rewritten: guessing at it could
 * leave the application unable to connect at all.
 */
final class DbAddress {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.-]+|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9_.-]+|\\[[0-9A-Fa-f:.]+]):[0-9]{1,5}");

    private DbAddress() {
    }

    /** The value to write in place of {@code existing}; empty when {@code existing} has a shape this does not rewrite. */
    static Optional<String> replacing(Optional<String> existing, NodeConfig candidate) {
        String value = existing.map(String::strip).orElse("");
        if (value.isEmpty() || HOST.matcher(value).matches() && !HOST_PORT.matcher(value).matches()) {
            return Optional.of(candidate.host());
        }
        if (HOST_PORT.matcher(value).matches()) {
            String host = candidate.host().contains(":") ? "[" + candidate.host() + "]" : candidate.host();
            return Optional.of(host + ":" + candidate.port());
        }
        return Optional.empty();
    }
}
