package dev.drpilot.agent;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a replica's agent has promised the failover actuator: once it acknowledged a promotion intent for its node, it
 * confirms no failsafe question of the old primary any more (docs/agent.md, failsafe mode) — otherwise the old primary,
 * cut off from Kafka but kept alive by this replica's confirmations, could still take writes after this node is promoted.
 * The intent handler acknowledges and the failsafe responder confirms under this one lock, so a confirmation can never be
 * given after the acknowledgement was sent.
 */
public final class PromotionPromise {
    private String acknowledgedIntent;

    /** Called by the promotion-intent handler before it replies DONE. */
    public synchronized void acknowledge(String commandId) {
        acknowledgedIntent = commandId;
    }

    /** The intent acknowledged, if any. */
    public synchronized Optional<String> acknowledged() {
        return Optional.ofNullable(acknowledgedIntent);
    }

    /**
     * Ends the promise: the node was promoted (it is primary now and asks questions instead of answering them), or the
     * intent's failover is over without promoting it (the actuator said so, or the intent expired).
     */
    public synchronized void release() {
        acknowledgedIntent = null;
    }

    /** Runs {@code confirmation} only while no intent is acknowledged; otherwise answers {@code refusal}. */
    public synchronized <T> T confirmUnlessPromised(Supplier<T> confirmation, T refusal) {
        return acknowledgedIntent == null ? confirmation.get() : refusal;
    }
}
