package dev.drpilot.detector.rules;

import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;

import java.util.Locale;

/**
 * What a node's own agent says of its server ({@code details.agentVerdict} of its health observations), and how the
 * primary-down rule weighs it. {@code down} is certain: the postmaster no longer exists on a host that is up (the agent
 * runs there). {@code not-answering} is what a frozen, overloaded or checkpointing server looks like: one failed vantage,
 * with the blip tolerance. Both kinds of answer are alive.
 */
enum AgentVerdict {
    UP,
    ANSWERED_WITH_ERROR,
    NOT_ANSWERING,
    /**
     * Its server answers, in recovery: alive, but no primary — what an agent's own fence ({@code fence: demote}) or an
     * operator's demotion leaves. Weighed like {@code not-answering}: one failed vantage with the blip tolerance, never
     * a vouch that would hold remote failures back. Derived from {@code up} with the role the agent read, not published.
     */
    IN_RECOVERY,
    DOWN;

    /**
     * The verdict an observation carries. One without a verdict we know (an older or newer agent) is read from
     * {@code ok}/{@code answered} like any probe, and is never {@code down}: certainty needs the agent to say so.
     */
    static AgentVerdict of(HealthObservation observation) {
        String label = observation.getDetails() == null ? null : observation.getDetails().get("agentVerdict");
        for (AgentVerdict verdict : values()) {
            if (verdict.label().equals(label)) {
                return verdict;
            }
        }
        return observation.getOk() ? UP : observation.getAnswered() ? ANSWERED_WITH_ERROR : NOT_ANSWERING;
    }

    boolean failing() {
        return this == NOT_ANSWERING || this == IN_RECOVERY || this == DOWN;
    }

    /** The verdict about a node held for primary: an answer from a server in recovery is no primary's answer. */
    static AgentVerdict aboutPrimary(HealthObservation observation) {
        AgentVerdict verdict = of(observation);
        return verdict == UP && observation.getRole() == NodeRole.REPLICA ? IN_RECOVERY : verdict;
    }

    /** The spelling the agent publishes. */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
