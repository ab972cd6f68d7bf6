package dev.drpilot.notify.delivery;

import java.time.Duration;
import java.util.Optional;

/**
 * A delivery that did not succeed. Retriable failures (the receiver is unreachable, overloaded
 * or rate-limiting) are tried again with backoff; fatal ones (the receiver rejected the request
 * as invalid) would fail the same way again, so they are recorded at once.
 */
public final class DeliveryException extends Exception {
    private final boolean retriable;
    private final int httpStatus;
    private final Duration retryAfter;

    private DeliveryException(String message, boolean retriable, int httpStatus, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public static DeliveryException retriable(String message, Throwable cause) {
        return new DeliveryException(message, true, 0, null, cause);
    }

    public static DeliveryException retriable(String message, int httpStatus) {
        return new DeliveryException(message, true, httpStatus, null, null);
    }

    /** A retriable answer that said when to come back ({@code Retry-After}). */
    public static DeliveryException retriable(String message, int httpStatus, Duration retryAfter) {
        return new DeliveryException(message, true, httpStatus, retryAfter, null);
    }

    public static DeliveryException fatal(String message, Throwable cause) {
        return new DeliveryException(message, false, 0, null, cause);
    }

    public static DeliveryException fatal(String message, int httpStatus) {
        return new DeliveryException(message, false, httpStatus, null, null);
    }

    public boolean retriable() {
        return retriable;
    }

    /** How long the receiver asked to be left alone ({@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The HTTP status the receiver answered with, 0 when there was no HTTP answer. */
    public int httpStatus() {
        return httpStatus;
    }
}
