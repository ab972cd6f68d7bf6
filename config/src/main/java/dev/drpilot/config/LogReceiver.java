package dev.drpilot.config;

import java.util.Optional;

/** drpilot's own log: nothing to configure. */
public record LogReceiver(String name) implements Receiver {
    static final String TYPE = "log";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        return Optional.of(new LogReceiver(name));
    }
}
