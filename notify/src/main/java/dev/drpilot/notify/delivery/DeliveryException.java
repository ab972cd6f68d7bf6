package dev.drpilot.notify.delivery;

/**
 * A delivery that did not succeed. Retriable failures (the receiver is unreachable, overloaded
 * or rate-limiting) are tried again with backoff; fatal ones (the receiver rejected the request
 * as invalid) would fail the same way again, so they are recorded at once.
 */
public final class DeliveryException extends Exception {
    private final boolean retriable;
    private final int httpStatus;

    private DeliveryException(String message, boolean retriable, int httpStatus, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
        this.httpStatus = httpStatus;
    }

    public static DeliveryException retriable(String message, Throwable cause) {
        return new DeliveryException(message, true, 0, cause);
    }

    public static DeliveryException retriable(String message, int httpStatus) {
        return new DeliveryException(message, true, httpStatus, null);
    }

    public static DeliveryException fatal(String message, Throwable cause) {
        return new DeliveryException(message, false, 0, cause);
    }

    public static DeliveryException fatal(String message, int httpStatus) {
        return new DeliveryException(message, false, httpStatus, null);
    }

    public boolean retriable() {
        return retriable;
    }

    /** The HTTP status the receiver answered with, 0 when there was no HTTP answer. */
    public int httpStatus() {
        return httpStatus;
    }
}
