package dev.drpilot.failover.agent;

import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.failover.FailoverContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the failover steps ask of the node agents: a FENCE of the old primary, a PROMOTION_INTENT to the candidate (each
 * one {@link AgentChannel#request} with the context's incident), and the wait on the old primary's lease
 * ({@link LeaseWait}). One per actuator, shared by every step ({@code StepFactory}).
 */
public final class NodeAgents {
    private final AgentChannel channel;
    private final LeaseWait leases;
    private final String issuedBy;
    private final Clock clock;

    public NodeAgents(AgentChannel channel, LeaseReader leases, String issuedBy, Clock clock) {
        this.channel = channel;
        this.leases = new LeaseWait(leases, LeaseExpiry.DEFAULT);
        this.issuedBy = issuedBy;
        this.clock = clock;
    }

    /** Asks the agent of {@code node} to stop its PostgreSQL taking writes; empty when no reply came within {@code timeout}. */
    public Optional<AgentReply> fence(FailoverContext context, NodeConfig node, Duration timeout) throws AgentChannel.ChannelException,
            InterruptedException {
        String reason = context.chosenCandidate().map(candidate -> "failover " + context.incidentId() + " replaces " + node.name() + " by "
                + candidate.name()).orElse(node.name() + " must take no writes (" + context.incidentId() + ")");
        return channel.request(command(context, node, AgentCommandKind.FENCE, context.chosenCandidate().map(NodeConfig::name), reason, timeout),
                timeout);
    }

    /**
     * Tells the agent of {@code candidate} that it is about to be promoted; DONE means it promised to confirm no failsafe
     * question of the old primary any more. The intent expires with the promote step ({@code validFor}).
     */
    public Optional<AgentReply> promotionIntent(FailoverContext context, NodeConfig candidate, Duration timeout, Duration validFor)
            throws AgentChannel.ChannelException, InterruptedException {
        String reason = "failover " + context.incidentId() + " is about to promote " + candidate.name()
                + context.failedPrimary().map(old -> " in place of " + old.name()).orElse("");
        return channel.request(command(context, candidate, AgentCommandKind.PROMOTION_INTENT, Optional.of(candidate.name()), reason, validFor),
                timeout);
    }

    /** Waits on the old primary's lease, at most {@code budget}. */
    public LeaseFinding awaitLease(FailoverContext context, NodeConfig old, Duration budget) throws InterruptedException {
        return leases.await(context.cluster().name(), old, budget);
    }

    private AgentCommand command(FailoverContext context, NodeConfig node, AgentCommandKind kind, Optional<String> newPrimary, String reason,
                                 Duration validFor) {
        Instant now = clock.instant();
        return AgentCommand.newBuilder().setCommandId(kind.name().toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID()).setCluster(context.cluster().name())
                .setNode(node.name()).setKind(kind).setNewPrimary(newPrimary.orElse(null)).setIncidentId(context.incidentId())
                .setReason(reason).setIssuedBy(issuedBy).setIssuedAt(now).setExpiresAt(now.plus(validFor)).setDetails(Map.of()).build();
    }
}
