package dev.drpilot.detector.rules;

import dev.drpilot.events.HealthObservation;

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
        return this == NOT_ANSWERING || this == DOWN;
    }

    /** The spelling the agent publishes. */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
