package dev.drpilot.runtime;

import java.util.Optional;

/** A thread of a service that must not die silently: what a health endpoint ({@link WorkerHealth}) asks of it. */
public interface Worker {
    /** How the log and the health endpoint name it. */
    String name();

    /** True while it runs; false once it died or was stopped. */
    boolean alive();

    /** The error that stopped it, if one did. */
    Optional<Throwable> failure();

    /** While it is alive but retrying a failure (a peer unreachable): which retry, and of what; empty when all is well. */
    default Optional<String> trouble() {
        return Optional.empty();
    }
}
