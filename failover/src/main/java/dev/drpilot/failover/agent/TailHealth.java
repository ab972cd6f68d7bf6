package dev.drpilot.failover.agent;

import dev.drpilot.runtime.Worker;

import java.util.Optional;

/**
 * What one of the actuator's tails of the agents' topics tells the health endpoint: alive from its start until its thread
 * ended (closed, or stopped by an error it could not read past), and that error. Failover stays safe without a tail (each
 * wait reads for itself) but slower, so a stopped tail is dead on {@code /healthz} and the restart that causes brings it back.
 */
final class TailHealth implements Worker {
    private final String name;
    private volatile boolean ended;
    private volatile Throwable failure;

    TailHealth(String name) {
        this.name = name;
    }

    /** The error that stopped the tail; before {@link #ended()}, so that a dead tail is never seen without its reason. */
    void failed(Throwable error) {
        failure = error;
    }

    void ended() {
        ended = true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean alive() {
        return !ended;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }
}
