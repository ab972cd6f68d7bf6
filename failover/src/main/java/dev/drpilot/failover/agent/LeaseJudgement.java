package dev.drpilot.failover.agent;

import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the old primary's lease records prove, as a pure function of what was read and when (the reader's monotonic
 * clock): the rule of docs/failover.md "An unreachable old primary with a node agent". The first read's newest record of
 * the cluster decides whether there is anything to wait for — a HOLDING by the old primary starts the wait of
 * {@code LeaseExpiry.readerWait(ttl)} from that read; the records read after it end the wait early: a SELF_FENCED or
 * RELEASED of the node (it gave the lease up), a newer HOLDING of the node (its agent renews: refused), an UNGUARDED
 * (its agent stopped: the lease proves nothing). Other nodes' records change nothing: only the old primary's agent can
 * speak for it.
 */
public final class LeaseJudgement {
    private final String node;
    private final LeaseExpiry expiry;
    private final Duration configuredTtl;
    private AgentLease holding;
    private long holdingReadAt;
    private long expiresAt;

    /** @param configuredTtl the node's {@code agent.leaseTtl} as the actuator's configuration has it; the longer of it and the record's counts */
    public LeaseJudgement(String node, LeaseExpiry expiry, Duration configuredTtl) {
        this.node = node;
        this.expiry = expiry;
        this.configuredTtl = configuredTtl;
    }

    /** The first read: the cluster's records (oldest first) as read at {@code readAt}; empty while the wait must go on. */
    public Optional<LeaseFinding> first(List<AgentLease> records, long readAt) {
        if (records.isEmpty()) {
            return Optional.of(new LeaseFinding(LeaseFinding.Kind.PROVES_NOTHING, "no lease of the cluster on drpilot.agent.leases"));
        }
        AgentLease newest = records.get(records.size() - 1);
        if (!node.equals(newest.getNode())) {
            return Optional.of(new LeaseFinding(LeaseFinding.Kind.PROVES_NOTHING, "the newest lease of the cluster is " + newest.getNode()
                    + "'s (" + newest.getState() + "), not " + node + "'s"));
        }
        if (newest.getState() == LeaseState.SELF_FENCED) {
            return Optional.of(new LeaseFinding(LeaseFinding.Kind.GIVEN_UP, "the agent of " + node + " said it fenced its node (SELF_FENCED, "
                    + newest.getDetails() + ")"));
        }
        if (newest.getState() != LeaseState.HOLDING) {
            // RELEASED before the wait: the agent may have been gone since; UNGUARDED: it said so.
            return Optional.of(new LeaseFinding(LeaseFinding.Kind.PROVES_NOTHING, "the newest lease of " + node + " is " + newest.getState()
                    + (newest.getState() == LeaseState.UNGUARDED ? " (its agent was stopped while it was primary)" : "")));
        }
        holding = newest;
        holdingReadAt = readAt;
        expiresAt = readAt + expiry.readerWait(ttl(newest)).toNanos();
        return Optional.empty();
    }

    /** When the lease the wait is on counts as expired, on the reader's clock; meaningful once {@link #first} said wait. */
    public long expiresAt() {
        return expiresAt;
    }

    /** A later read: the records written since the last one, read by {@code now}. */
    public Optional<LeaseFinding> next(List<AgentLease> records, long now) {
        for (AgentLease record : records) {
            if (!node.equals(record.getNode())) {
                continue;
            }
            boolean newer = !record.getAgentId().equals(holding.getAgentId()) || record.getSequence() > holding.getSequence();
            if (!newer) {
                continue;
            }
            if (record.getState() == LeaseState.HOLDING) {
                return Optional.of(new LeaseFinding(LeaseFinding.Kind.RENEWING, "a newer HOLDING (agent " + record.getAgentId() + ", sequence "
                        + record.getSequence() + ") came " + millis(now - holdingReadAt) + " ms into the wait"));
            }
            if (record.getState() == LeaseState.UNGUARDED) {
                return Optional.of(new LeaseFinding(LeaseFinding.Kind.PROVES_NOTHING, "the agent of " + node + " was stopped while its node was"
                        + " primary (UNGUARDED): its lease proves nothing"));
            }
            if (record.getState() == LeaseState.SELF_FENCED || record.getState() == LeaseState.RELEASED) {
                return Optional.of(new LeaseFinding(LeaseFinding.Kind.GIVEN_UP, "the agent of " + node + " gave the lease up " + millis(now - holdingReadAt)
                        + " ms into the wait (" + record.getState() + ", " + record.getDetails() + ")"));
            }
        }
        if (now - expiresAt >= 0) {
            return Optional.of(new LeaseFinding(LeaseFinding.Kind.EXPIRED, "the newest lease of " + node + " (HOLDING, agent " + holding.getAgentId()
                    + ", sequence " + holding.getSequence() + ", TTL " + ttl(holding).toMillis() + " ms) was read " + millis(now - holdingReadAt)
                    + " ms ago (readerWait " + expiry.readerWait(ttl(holding)).toMillis() + " ms) and its agent wrote nothing since"));
        }
        return Optional.empty();
    }

    private Duration ttl(AgentLease record) {
        Duration recorded = Duration.ofMillis(record.getTtlMillis());
        return recorded.compareTo(configuredTtl) >= 0 ? recorded : configuredTtl;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
