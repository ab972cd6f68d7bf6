package dev.drpilot.broker;

/** The embedded broker could not start; the message says why and what to change. */
public class EmbeddedBrokerException extends RuntimeException {
    public EmbeddedBrokerException(String message) {
        super(message);
    }

    public EmbeddedBrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
