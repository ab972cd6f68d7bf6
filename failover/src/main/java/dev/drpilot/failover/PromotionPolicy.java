package dev.drpilot.failover;

import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.FailoverSettings.UnreachablePrimary;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.failover.agent.LeaseFinding;
import dev.drpilot.failover.steps.FenceEvidence;

import java.util.Comparator;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a replica may be promoted past the old primary, on what the runbook's fence steps found out about it and the
 * cluster's {@code failover.unreachablePrimary}. Judged at the promotion, not in a fence step, so that it holds whatever
 * fence methods the runbook has, in whatever order, and also for a runbook without any (no evidence: only {@code promote}
 * lets that through). An old primary with a node agent adds the lease ({@link LeaseFinding}): an expired lease is a hard
 * fence, a lease still renewed forbids the promotion whatever the policy says, an unreadable one decides nothing. A pure
 * function: the table test is the specification.
 */
public final class PromotionPolicy {
    private PromotionPolicy() {
    }

    /** The verdict: the evidence the promotion goes ahead on, or why it must not. */
    public record Verdict(Optional<String> acceptedOn, Optional<String> refusal) {
        static Verdict accept(String evidence) {
            return new Verdict(Optional.of(evidence), Optional.empty());
        }

        static Verdict refuse(String why) {
            return new Verdict(Optional.empty(), Optional.of(why));
        }
    }

    /**
     * @param oldPrimary the node being replaced, empty when the command names none (then there is nothing to fence)
     * @param evidence   what the fence steps recorded
     */
    public static Verdict decide(UnreachablePrimary policy, Optional<String> oldPrimary, Set<FenceEvidence> evidence) {
        return decide(policy, oldPrimary, evidence, LeaseFinding.NOT_CONSULTED);
    }

    /** @param lease what the old primary's agent lease proved ({@link LeaseFinding#NOT_CONSULTED} without an agent) */
    public static Verdict decide(UnreachablePrimary policy, Optional<String> oldPrimary, Set<FenceEvidence> evidence, LeaseFinding lease) {
        if (oldPrimary.isEmpty()) {
            return Verdict.accept("no-old-primary");
        }
        Optional<FenceEvidence> hard = evidence.stream().filter(FenceEvidence::hard).min(Comparator.naturalOrder());
        if (hard.isPresent()) {
            return Verdict.accept(hard.get().attribute());
        }
        String node = oldPrimary.get();
        if (lease.kind() == LeaseFinding.Kind.RENEWING) {
            return Verdict.refuse("not promoting: the agent of " + node + " still renews its lease (" + lease.detail() + "): " + node
                    + " answers its agent as a primary and may be taking writes; whatever the probes saw, it is not down");
        }
        if (lease.kind() == LeaseFinding.Kind.UNREADABLE) {
            return Verdict.refuse("not promoting: " + node + " has a node agent, and its lease could not be judged (" + lease.detail()
                    + "); without it nobody can tell whether " + node + " still takes writes");
        }
        if (lease.evidence().isPresent()) {
            return Verdict.accept(lease.evidence().get().attribute());
        }
        String setting = "failover.unreachablePrimary is " + ConfigNames.of(policy);
        if (policy == UnreachablePrimary.PROMOTE) {
            return Verdict.accept("unreachable-accepted-by-policy");
        }
        if (evidence.contains(FenceEvidence.PORT_CLOSED) && policy == UnreachablePrimary.WHEN_PORT_CLOSED) {
            return Verdict.accept(FenceEvidence.PORT_CLOSED.attribute());
        }
        String found = evidence.contains(FenceEvidence.PORT_CLOSED) ? node + " refused connections on its port, but " + setting
                : evidence.contains(FenceEvidence.SILENT) ? node + " did not answer at all (timed out or no route: it may be serving"
                        + " clients behind a partition) and " + setting
                : "no fence step recorded anything about " + node + " and " + setting;
        return Verdict.refuse("not promoting: " + found + ", and no hard fence (demotion over SQL, fence command, fence kubernetes)"
                + " succeeded. An operator who made sure " + node + " cannot take writes (stopped, its host powered off or cut off from"
                + " every client) can switch over by hand (drpilot switchover --to <replica>); a fence command or kubernetes step in"
                + " the runbook lets drpilot do that itself next time");
    }

    /**
     * Whether the candidate's answer to the promotion intent lets the promotion go on: with failsafe mode only a DONE does
     * (an agent that did not promise may still be confirming the old primary's failsafe questions, keeping it writable);
     * without it, no answer is recorded and the promotion goes on.
     *
     * @param answer the agent's outcome; empty when no reply came in time
     * @return the refusal, or empty to go on
     */
    public static Optional<String> intent(boolean failsafe, String candidate, Optional<AgentReplyOutcome> answer, String detail) {
        if (!failsafe || answer.filter(outcome -> outcome == AgentReplyOutcome.DONE).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("not promoting " + candidate + ": failover.failsafe is on, and the agent of " + candidate + " "
                + answer.map(outcome -> "answered the promotion intent " + outcome + " (" + detail + ")").orElse("did not answer the promotion"
                + " intent in time") + "; failsafe mode needs the candidate's agent to promise it confirms nothing for the old primary"
                + " any more, or the old primary, kept running by that confirmation, could still take writes beside it");
    }
}
