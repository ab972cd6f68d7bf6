package dev.drpilot.failover;

/**
 * A topic the failover must read whole before it decides (the operators' pauses, the incident's and the cluster's
 * history) could not be read to its end: the decision is not taken on part of it — the command is refused for now and
 * tried again later.
 */
public final class ReadIncompleteException extends Exception {
    public ReadIncompleteException(String message) {
        super(message);
    }

    public ReadIncompleteException(String message, Throwable cause) {
        super(message, cause);
    }
}
