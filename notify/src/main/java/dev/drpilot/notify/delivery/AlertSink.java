package dev.drpilot.notify.delivery;

import dev.drpilot.events.Alert;

/**
 * One receiver's way of delivering an alert (an HTTP API, SMTP, the log). A sink only delivers:
 * retries, re-notify throttling, offsets and the audit record are the {@link ReceiverWorker}'s.
 */
public interface AlertSink extends AutoCloseable {
    /**
     * Delivers one alert, or throws saying whether trying again may help.
     *
     * @throws DeliveryException retriable (network, 429, 5xx) or fatal (rejected as invalid)
     */
    void deliver(Alert alert) throws DeliveryException;

    @Override
    default void close() {
    }
}
