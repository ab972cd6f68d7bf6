package dev.drpilot.failover;

/**
 * The failover must not go ahead: the primary still answers drpilot's own check, no candidate is
 * within the lag bound, the cluster is paused or cooling down. Recorded as REFUSED (not FAILED):
 * nothing was changed, and an operator may decide otherwise ({@code --force}).
 */
public class FailoverRefusedException extends StepFailedException {
    public FailoverRefusedException(String message) {
        super(message);
    }
}
