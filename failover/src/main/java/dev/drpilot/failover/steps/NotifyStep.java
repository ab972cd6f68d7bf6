package dev.drpilot.failover.steps;

import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepOutcome;

import java.time.Duration;

/**
 * {@code notify}: the failover's summary (who, what, how long, the data-loss estimate) is the
 * runbook's last record on {@code drpilot.actions}; the detectors' failover-health rule turns it
 * into a {@code FailoverCompleted} alert, so the news reaches people through the alert routes
 * like everything else. The actuator itself writes no alerts.
 */
public final class NotifyStep implements FailoverStep {
    @Override
    public String describe() {
        return "notify";
    }

    @Override
    public String plan(FailoverContext context) {
        return "announce the failover summary through the alert routes";
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return false;
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) {
        return StepOutcome.of("summary of " + context.incidentId() + " follows as the runbook's last record; the failover-health rule announces it");
    }
}
