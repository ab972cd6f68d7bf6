package dev.drpilot.failover;

import java.time.Duration;
import java.util.Map;

/**
 * One step of a failover runbook (check, fence, promote, repoint, verify, notify), built from the
 * runbook's configuration with its options and clients.
 *
 * <p>The executor calls {@link #alreadyDone} before {@link #run}: a runbook resumed after a crash
 * must look at the real world (a replica already promoted is not promoted again), not trust its
 * own records alone. In dry-run mode only {@link #plan} is called.
 */
public interface FailoverStep {

    /** The step type and method as configured, e.g. {@code repoint kubernetes}. */
    String describe();

    /** What the step would change, in words: the dry-run record and the STARTED record's detail. */
    String plan(FailoverContext context);

    /**
     * Whether the world already shows this step's effect (the env var already points at the
     * candidate, the replica is already out of recovery). A step with nothing to look at returns false.
     */
    boolean alreadyDone(FailoverContext context) throws Exception;

    /**
     * The attributes recorded when {@link #alreadyDone} said yes: what the effect found in the world proves (a fence
     * already in place is evidence for the promotion, {@code fenced}). None by default.
     */
    default Map<String, String> alreadyDoneAttributes() {
        return Map.of();
    }

    /**
     * Does the step, within {@code timeout}. Throws {@link StepFailedException} when it cannot be
     * done (the runbook stops, the failure is recorded and alerted); any other exception counts as
     * a failure too.
     */
    StepOutcome run(FailoverContext context, Duration timeout) throws Exception;
}
