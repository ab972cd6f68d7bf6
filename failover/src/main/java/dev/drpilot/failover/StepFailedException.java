package dev.drpilot.failover;

/** A step that cannot be done: the runbook stops here, and the reason is recorded and alerted. */
public class StepFailedException extends Exception {
    public StepFailedException(String message) {
        super(message);
    }

    public StepFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
