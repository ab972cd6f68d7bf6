package dev.drpilot.config;

import java.util.Optional;

/** Reads one receiver type's keys from its section and checks them, recording every problem. */
@FunctionalInterface
interface ReceiverBinder {
    /** @return empty when a required key is missing or unusable (the problem is recorded) */
    Optional<Receiver> bind(String name, Section item);
}
