package dev.drpilot.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a {@link ConsumerLoop} does when a round fails (the handler threw, or a poll or commit did): retry
 * the same record after a bounded backoff, or stop the loop and keep the error as its {@link ConsumerLoop#failure()}.
 * An {@link Error} is never retried.
 */
public final class ErrorPolicy {
    /** No limit on the retries of one streak: for loops that must outlive an outage of their peers. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private final int maxRetries;
    private final Backoff backoff;
    private final Predicate<Throwable> retriable;

    private ErrorPolicy(int maxRetries, Backoff backoff, Predicate<Throwable> retriable) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
        }
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.retriable = Objects.requireNonNull(retriable, "retriable");
    }

    /** Every error stops the loop. */
    public static ErrorPolicy fatal() {
        return new ErrorPolicy(0, Backoff.constant(Duration.ofMillis(1)), error -> false);
    }

    /**
     * @param maxRetries retries in a row (without a record done in between) before the loop gives up; {@link #UNLIMITED}
     * @param retriable  which errors are retried; any other stops the loop at once
     */
    public static ErrorPolicy retry(int maxRetries, Backoff backoff, Predicate<Throwable> retriable) {
        return new ErrorPolicy(maxRetries, Objects.requireNonNull(backoff, "backoff"), retriable);
    }

    /** @param retry 1 for the first retry of a streak */
    boolean retries(Throwable error, int retry) {
        return !(error instanceof Error) && retriable.test(error) && retry <= maxRetries;
    }

    boolean retriable(Throwable error) {
        return !(error instanceof Error) && retriable.test(error);
    }

    Duration backoff(int retry) {
        return backoff.before(retry);
    }

    /** For "retry n of m". */
    String limit() {
        return maxRetries == UNLIMITED ? "unlimited" : Integer.toString(maxRetries);
    }
}
