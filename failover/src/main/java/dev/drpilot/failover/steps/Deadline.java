package dev.drpilot.failover.steps;

import java.time.Duration;

/** The end of a step's timeout, on the monotonic clock (a wall-clock jump must not end or extend a step). */
final class Deadline {
    private final Duration timeout;
    private final long endNanos;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.endNanos = System.nanoTime() + timeout.toNanos();
    }

    static Deadline after(Duration timeout) {
        return new Deadline(timeout);
    }

    Duration timeout() {
        return timeout;
    }

    Duration remaining() {
        long left = endNanos - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    boolean allows(Duration pause) {
        return pause.compareTo(remaining()) < 0;
    }

    /** Sleeps for {@code pause}; an interrupt (the executor giving up) ends the step as a failure. */
    static void sleep(Duration pause) throws InterruptedException {
        Thread.sleep(pause.toMillis());
    }
}
