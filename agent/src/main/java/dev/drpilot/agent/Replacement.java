package dev.drpilot.agent;

import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether this agent's node, answering as a primary, was replaced: the newest lease of the cluster is a HOLDING by
 * another node that is live — read less than {@code LeaseExpiry.readerWait(ttl)} ago, as the actuator would count it — and
 * this node is not the incumbent (it does not hold the lease, or began holding it less than that long ago: the other
 * node's records may just not have arrived yet). A stale holder replaces nobody (a failback by hand without agents must
 * not be fenced), and nor does a holder read before this agent acknowledged a promotion intent (the actuator judged that
 * lease before it promoted this node). A pure function of what was read and when, on the agent's monotonic clock.
 */
final class Replacement {
    private Replacement() {
    }

    /** The newest lease record of the cluster and when the agent read it (its monotonic clock). */
    record Seen(AgentLease lease, long readAt) {
    }

    /**
     * @param holdingSince when this node's lease began (monotonic), or empty when it does not hold it
     * @param intentAt     when this agent last acknowledged a promotion intent, or empty
     * @return the node this one was replaced by
     */
    static Optional<String> replacedBy(String node, Optional<Seen> newest, long now, Optional<Long> holdingSince, Optional<Long> intentAt,
                                       LeaseExpiry expiry) {
        if (newest.isEmpty() || newest.get().lease().getState() != LeaseState.HOLDING || node.equals(newest.get().lease().getNode())) {
            return Optional.empty();
        }
        long live = expiry.readerWait(Duration.ofMillis(newest.get().lease().getTtlMillis())).toNanos();
        long readAt = newest.get().readAt();
        if (now - readAt >= live) {
            return Optional.empty();
        }
        if (intentAt.isPresent() && readAt - intentAt.get() <= 0) {
            return Optional.empty();
        }
        if (holdingSince.isPresent() && now - holdingSince.get() >= live) {
            return Optional.empty();
        }
        return Optional.of(newest.get().lease().getNode());
    }
}
