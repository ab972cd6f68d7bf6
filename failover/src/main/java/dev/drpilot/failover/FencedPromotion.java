package dev.drpilot.failover;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.failover.agent.AgentChannel;
import dev.drpilot.failover.agent.LeaseFinding;
import dev.drpilot.failover.agent.NodeAgents;
import dev.drpilot.failover.steps.FenceEvidence;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A promote step that goes ahead only as {@link PromotionPolicy} allows, on the evidence the runbook's fence steps recorded
 * in the context. Every promote step is built wrapped in one ({@link StepFactory}), so no runbook, with or without fence
 * steps, promotes past an old primary that may still take writes unless its cluster's policy says so. A promotion already
 * done is left alone: it was allowed when it ran.
 *
 * <p>With node agents, in this order: a candidate that has an agent is told first (PROMOTION_INTENT; with
 * {@code failover.failsafe} on, no DONE refuses the promotion); then, for an old primary with an agent and no hard fence,
 * its lease is waited on ({@link NodeAgents#awaitLease}) — after the intent's acknowledgement was read, so that a replica's
 * failsafe confirmation given before the promise is covered by the old primary's TTL; then the policy decides; then the
 * candidate is promoted within what is left of the step's time.
 */
final class FencedPromotion extends ForwardingStep {
    /** How long the candidate's agent gets to acknowledge the promotion intent. */
    static final Duration INTENT_TIMEOUT = Duration.ofSeconds(3);

    private final Optional<NodeAgents> agents;

    FencedPromotion(FailoverStep promotion) {
        this(promotion, Optional.empty());
    }

    FencedPromotion(FailoverStep promotion, Optional<NodeAgents> agents) {
        super(promotion);
        this.agents = agents;
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        long began = System.nanoTime();
        Optional<String> oldName = context.failedPrimary().map(NodeConfig::name);
        boolean hard = context.fenceEvidence().stream().anyMatch(FenceEvidence::hard);
        boolean leaseCounts = !hard && context.failedPrimary().flatMap(NodeConfig::agent).isPresent();
        if (!leaseCounts) {
            // Nothing an agent says can change this verdict: refuse before anything is asked of the candidate's agent.
            refuseUnless(PromotionPolicy.decide(context.cluster().failover().unreachablePrimary(), oldName, context.fenceEvidence()));
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        NodeConfig candidate = context.candidate();
        if (candidate.agent().isPresent()) {
            long asked = System.nanoTime();
            promiseOf(context, candidate, timeout, attributes);
            attributes.put("promotionIntentMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked)));
        }
        LeaseFinding lease = LeaseFinding.NOT_CONSULTED;
        if (leaseCounts) {
            long waited = System.nanoTime();
            lease = agents.isEmpty() ? new LeaseFinding(LeaseFinding.Kind.UNREADABLE, "this actuator has no access to drpilot.agent.leases")
                    : agents.get().awaitLease(context, context.failedPrimary().orElseThrow(), left(timeout, began));
            attributes.put("lease", lease.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            attributes.put("leaseDetail", lease.detail());
            attributes.put("leaseMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waited)));
        }
        PromotionPolicy.Verdict verdict = refuseUnless(PromotionPolicy.decide(context.cluster().failover().unreachablePrimary(), oldName,
                context.fenceEvidence(), lease));
        StepOutcome outcome = delegate.run(context, left(timeout, began));
        Map<String, String> recorded = new LinkedHashMap<>(outcome.attributes());
        recorded.putAll(attributes);
        recorded.put("promotedPast", verdict.acceptedOn().orElseThrow());
        return new StepOutcome(outcome.detail(), recorded);
    }

    /** The promotion intent: recorded whatever the answer; refused without a DONE in failsafe mode. */
    private void promiseOf(FailoverContext context, NodeConfig candidate, Duration timeout, Map<String, String> attributes) throws Exception {
        Optional<AgentReply> reply = Optional.empty();
        String detail = "";
        if (agents.isPresent()) {
            try {
                reply = agents.get().promotionIntent(context, candidate, INTENT_TIMEOUT.compareTo(timeout) < 0 ? INTENT_TIMEOUT : timeout, timeout);
            } catch (AgentChannel.ChannelException e) {
                detail = e.getMessage();
            }
        } else {
            detail = "this actuator has no access to the agents' topics";
        }
        Optional<AgentReplyOutcome> outcome = reply.map(AgentReply::getOutcome);
        attributes.put("promotionIntent", outcome.map(Enum::name).orElse("no-answer"));
        reply.ifPresent(answer -> attributes.put("promotionIntentAgent", answer.getAgentId()));
        Optional<String> refusal = PromotionPolicy.intent(context.cluster().failover().failsafe(), candidate.name(), outcome,
                reply.map(AgentReply::getDetail).orElse(detail));
        if (refusal.isPresent()) {
            throw new FailoverRefusedException(refusal.get());
        }
    }

    private static PromotionPolicy.Verdict refuseUnless(PromotionPolicy.Verdict verdict) throws FailoverRefusedException {
        if (verdict.refusal().isPresent()) {
            throw new FailoverRefusedException(verdict.refusal().get());
        }
        return verdict;
    }

    private static Duration left(Duration timeout, long began) {
        Duration left = timeout.minusNanos(System.nanoTime() - began);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
