package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import dev.drpilot.failover.agent.AgentChannel;
import dev.drpilot.failover.agent.LeaseFinding;
import dev.drpilot.failover.agent.NodeAgents;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fence} with {@code method: agent}: asks the old primary's node agent to stop its PostgreSQL (a FENCE command on
 * drpilot.agent.commands) and waits for the reply. DONE is a hard fence ({@link FenceEvidence#AGENT_STOPPED}: the agent
 * confirmed the postmaster gone, or the server answering in recovery). REFUSED or FAILED: the node may still take writes,
 * so the step fails — unless its lease, waited on then, proves otherwise. No reply proves nothing here (the agent may be cut
 * off: then its lease, judged at the promotion, decides). A node without an agent: nothing to ask, nothing recorded; the
 * runbook's other fence steps decide. An agent this actuator saw stop renewing its lease gets a short wait only
 * ({@link NodeAgents#fenceWait}).
 */
public final class AgentFenceStep implements FailoverStep {
    private final Optional<NodeAgents> agents;
    private final Duration replyTimeout;

    public AgentFenceStep(Optional<NodeAgents> agents, Duration replyTimeout) {
        this.agents = agents;
        this.replyTimeout = replyTimeout;
    }

    @Override
    public String describe() {
        return "fence agent";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.failedPrimary().map(node -> node.agent().isPresent() ? "ask the agent of " + node.name() + " to stop its PostgreSQL and wait"
                + " up to " + replyTimeout.toMillis() + " ms for its confirmation" : node.name() + " has no node agent: nothing to ask")
                .orElse("nothing to fence (no failed primary)");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return context.failedPrimary().isEmpty();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig old = context.failedPrimary().orElseThrow();
        if (old.agent().isEmpty()) {
            return StepOutcome.of(old.name() + " has no node agent: nothing fenced here (the other fence steps and the promotion decide)");
        }
        NodeAgents channel = agents.orElseThrow(() -> new StepFailedException("fence agent: this actuator was started without access to the"
                + " node agents' topics"));
        long began = System.nanoTime();
        Optional<AgentReply> reply;
        String noReply;
        NodeAgents.FenceWait wait = channel.fenceWait(context.cluster().name(), old, shorter(replyTimeout, timeout));
        try {
            reply = channel.fence(context, old, wait.replyWait());
            noReply = "no reply within " + wait.describe();
        } catch (AgentChannel.ChannelException e) {
            reply = Optional.empty();
            noReply = "the command could not be sent or the replies read (" + e.getMessage() + ")";
        }
        if (reply.isEmpty()) {
            Map<String, String> none = new LinkedHashMap<>(Map.of("agentReply", "none"));
            wait.silence().ifPresent(quiet -> none.put("agentSilentMillis", Long.toString(quiet.toMillis())));
            return new StepOutcome("the agent of " + old.name() + " did not confirm a fence: " + noReply + "; nothing proven here (its lease"
                    + " decides at the promotion)", none);
        }
        AgentReply answer = reply.get();
        Map<String, String> attributes = AgentReplies.attributes(answer);
        if (answer.getOutcome() == AgentReplyOutcome.DONE) {
            attributes.put("fenced", FenceEvidence.AGENT_STOPPED.attribute());
            return new StepOutcome("the agent of " + old.name() + " fenced it: " + answer.getDetail(), attributes);
        }
        Duration left = timeout.minusNanos(System.nanoTime() - began);
        LeaseFinding lease = channel.awaitLease(context, old, left.isNegative() ? Duration.ZERO : left);
        if (lease.evidence().isPresent()) {
            attributes.put("fenced", lease.evidence().get().attribute());
            return new StepOutcome("the agent of " + old.name() + " answered " + answer.getOutcome() + " (" + answer.getDetail() + "), but its lease"
                    + " proves it takes no writes: " + lease.detail(), attributes);
        }
        throw new StepFailedException("the agent of " + old.name() + " did not fence it: " + answer.getOutcome() + " (" + answer.getDetail()
                + "); " + old.name() + " may still take writes (lease: " + lease.detail() + ")");
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
