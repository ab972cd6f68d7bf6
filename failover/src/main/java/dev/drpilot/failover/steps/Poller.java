package dev.drpilot.failover.steps;

import dev.drpilot.failover.StepFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Looks at a cloud resource until it reaches the wanted state or the step's deadline passes,
 * pausing 1 s, 2 s, 4 s, then 5 s between looks and logging each "retry n of m".
 */
final class Poller {
    private static final Logger log = LoggerFactory.getLogger(Poller.class);

    private final Backoff backoff;
    private final Deadline deadline;
    private final String prefix;

    Poller(Backoff backoff, Deadline deadline, String prefix) {
        this.backoff = backoff;
        this.deadline = deadline;
        this.prefix = prefix;
    }

    /** One look: the value once done, or the state seen so far (for the log and the timeout message). */
    record Look<T>(T value, String state) {
        static <T> Look<T> done(T value, String state) {
            return new Look<>(value, state);
        }

        static <T> Look<T> notYet(String state) {
            return new Look<>(null, state);
        }

        boolean isDone() {
            return value != null;
        }
    }

    @FunctionalInterface
    interface Probe<T> {
        Look<T> look() throws StepFailedException, InterruptedException;
    }

    /** The probe's value once done, with the number of looks it took. */
    record Polled<T>(T value, int looks) {
    }

    <T> Polled<T> until(String waitingFor, Probe<T> probe) throws StepFailedException, InterruptedException {
        int retries = backoff.retriesWithin(deadline.remaining());
        for (int retry = 1; ; retry++) {
            Look<T> look = probe.look();
            if (look.isDone()) {
                return new Polled<>(look.value(), retry);
            }
            Duration pause = backoff.delay(retry);
            if (!deadline.allows(pause)) {
                throw new StepFailedException("timed out after " + deadline.timeout() + " waiting for " + waitingFor + ": " + look.state());
            }
            log.info("{} waiting for {}: {}; retry {} of {} in {} ms", prefix, waitingFor, look.state(), retry, Math.max(retries, retry), pause.toMillis());
            Deadline.sleep(pause);
        }
    }
}
