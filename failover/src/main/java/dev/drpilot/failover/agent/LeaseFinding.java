package dev.drpilot.failover.agent;

import dev.drpilot.failover.steps.FenceEvidence;

import java.util.Optional;

/**
 * What the old primary's agent lease proved at the promotion ({@link LeaseWait}). {@link Kind#EXPIRED} and
 * {@link Kind#GIVEN_UP} are proofs that the node takes no writes; {@link Kind#RENEWING} proves it still does (its agent
 * renews: the node answers its agent as a primary); {@link Kind#UNREADABLE} is no decision at all; the others leave it to
 * {@code failover.unreachablePrimary}.
 */
public record LeaseFinding(Kind kind, String detail) {
    public enum Kind {
        /** Not asked: the old primary has no agent, or a hard fence was already recorded. */
        NOT_CONSULTED,
        /** No lease of the cluster, an UNGUARDED one, another node's, or one the node gave up before the wait. */
        PROVES_NOTHING,
        /** The newest HOLDING of the node was read {@code readerWait(ttl)} ago and nothing newer came. */
        EXPIRED,
        /** A SELF_FENCED or RELEASED of the node came after the HOLDING the wait began with. */
        GIVEN_UP,
        /** A newer HOLDING of the node came during the wait: its agent is alive and renewing. */
        RENEWING,
        /** The lease topic could not be read to its end, or the wait could not finish within the step's time. */
        UNREADABLE
    }

    public static final LeaseFinding NOT_CONSULTED = new LeaseFinding(Kind.NOT_CONSULTED, "not consulted");

    /** The fence evidence a proof gives the promotion. */
    public Optional<FenceEvidence> evidence() {
        return kind == Kind.EXPIRED ? Optional.of(FenceEvidence.LEASE_EXPIRED)
                : kind == Kind.GIVEN_UP ? Optional.of(FenceEvidence.LEASE_GIVEN_UP) : Optional.empty();
    }
}
