package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import dev.drpilot.failover.agent.AgentChannel;
import dev.drpilot.failover.agent.NodeAgents;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fence} with {@code method: stop}: make sure the old primary takes no more writes. If it answers, it is demoted
 * ({@link PostgresDemotion}: {@code standby.signal} and a fast shutdown — restarted as it was it comes up in recovery, and no
 * session can undo that), or the step fails. If it answers with an error (drpilot's login refused, no free connection slot),
 * it is alive and unfenced: the step fails rather than call it unreachable. If it does not answer, there is nothing to reach:
 * the step records how it did not answer — its port closed (the server is not running) or silence (down, or cut off and
 * perhaps still serving) — and the promotion decides on that by the cluster's {@code failover.unreachablePrimary}.
 *
 * <p>An old primary with a node agent is asked first (a FENCE command, {@link #AGENT_FIRST} at most): the agent stops it
 * on its own host, which works whether or not drpilot can reach or log in to it, and confirms it. Without a DONE from it the
 * step goes on as above, and says what the agent answered. Not in a switchover: the agent's stop is immediate, and only
 * the demotion's fast shutdown sends every WAL record to the standbys first, which is what makes a switchover lose no
 * acknowledged commit. An agent this actuator saw stop renewing its lease gets a short wait only
 * ({@link NodeAgents#fenceWait}): a lost machine's agent cannot answer, and its silence must not delay the failover.
 */
public final class PostgresFenceStep implements FailoverStep {
    /** How long the agent gets to answer before the demotion over SQL is tried: a cut-off agent must not hold the step up long. */
    static final Duration AGENT_FIRST = Duration.ofSeconds(2);

    private final PostgresAdmin admin;
    private final PostgresDemotion demotion;
    private final Optional<NodeAgents> agents;

    public PostgresFenceStep(PostgresAdmin admin, PostgresDemotion demotion) {
        this(admin, demotion, Optional.empty());
    }

    public PostgresFenceStep(PostgresAdmin admin, PostgresDemotion demotion, Optional<NodeAgents> agents) {
        this.admin = admin;
        this.demotion = demotion;
        this.agents = agents;
    }

    @Override
    public String describe() {
        return "fence stop";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.failedPrimary().map(node -> (node.agent().isPresent() && agents.isPresent() && context.switchoverTarget().isEmpty()
                        ? "ask the agent of " + node.name()
                        + " to stop it; without its confirmation, " : "") + "demote " + node.name() + " (standby.signal, fast shutdown) if it answers")
                .orElse("nothing to fence (no failed primary)");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return context.failedPrimary().isEmpty();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig old = context.failedPrimary().orElseThrow();
        long began = System.nanoTime();
        String agentSaid = "";
        Map<String, String> attributes = new LinkedHashMap<>();
        if (old.agent().isPresent() && agents.isPresent() && context.switchoverTarget().isEmpty()) {
            NodeAgents.FenceWait wait = agents.get().fenceWait(context.cluster().name(), old,
                    AGENT_FIRST.compareTo(timeout) < 0 ? AGENT_FIRST : timeout.dividedBy(2));
            wait.silence().ifPresent(quiet -> attributes.put("agentSilentMillis", Long.toString(quiet.toMillis())));
            Optional<AgentReply> reply;
            try {
                reply = agents.get().fence(context, old, wait.replyWait());
            } catch (AgentChannel.ChannelException e) {
                reply = Optional.empty();
            }
            if (reply.isPresent()) {
                attributes.putAll(AgentReplies.attributes(reply.get()));
                if (reply.get().getOutcome() == AgentReplyOutcome.DONE) {
                    attributes.put("fenced", FenceEvidence.AGENT_STOPPED.attribute());
                    return new StepOutcome("the agent of " + old.name() + " fenced it: " + reply.get().getDetail(), attributes);
                }
                agentSaid = "its agent answered " + reply.get().getOutcome() + " (" + reply.get().getDetail() + "); ";
            } else {
                attributes.put("agentReply", "none");
                agentSaid = "its agent did not answer within " + wait.describe() + "; ";
            }
        }
        Duration left = timeout.minusNanos(System.nanoTime() - began);
        PostgresAdmin.Contact contact = admin.contact(old);
        if (contact instanceof PostgresAdmin.NoAnswer silent) {
            FenceEvidence evidence = silent.portClosed() ? FenceEvidence.PORT_CLOSED : FenceEvidence.SILENT;
            attributes.put("fenced", evidence.attribute());
            return new StepOutcome(agentSaid + old.name() + (silent.portClosed() ? " refuses connections on its port (the server is not running)"
                    : " does not answer (" + silent.error() + "): down, or cut off") + "; nothing to demote now", attributes);
        }
        Optional<PostgresRefusal> refusal = ((PostgresAdmin.Answered) contact).answer().refusal();
        if (refusal.isPresent()) {
            // Alive but not letting drpilot in: it may still take writes, and nothing here can stop it.
            throw new StepFailedException("could not fence " + old.name() + ": " + agentSaid + "it answers but refuses drpilot ("
                    + refusal.get().describe() + "), so it is alive and was not demoted");
        }
        String demoted = demotion.demote(old, left.isNegative() ? Duration.ZERO : left);
        attributes.put("fenced", FenceEvidence.DEMOTED.attribute());
        return new StepOutcome(agentSaid + demoted, attributes);
    }
}
