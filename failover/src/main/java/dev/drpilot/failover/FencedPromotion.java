package dev.drpilot.failover;

import dev.drpilot.config.NodeConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A promote step that goes ahead only as {@link PromotionPolicy} allows, on the evidence the runbook's fence steps recorded
 * in the context. Every promote step is built wrapped in one ({@link StepFactory}), so no runbook, with or without fence
 * steps, promotes past an old primary that may still take writes unless its cluster's policy says so. A promotion already
 * done is left alone: it was allowed when it ran.
 */
final class FencedPromotion extends ForwardingStep {
    FencedPromotion(FailoverStep promotion) {
        super(promotion);
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        PromotionPolicy.Verdict verdict = PromotionPolicy.decide(context.cluster().failover().unreachablePrimary(),
                context.failedPrimary().map(NodeConfig::name), context.fenceEvidence());
        if (verdict.refusal().isPresent()) {
            throw new FailoverRefusedException(verdict.refusal().get());
        }
        StepOutcome outcome = delegate.run(context, timeout);
        Map<String, String> attributes = new LinkedHashMap<>(outcome.attributes());
        attributes.put("promotedPast", verdict.acceptedOn().orElseThrow());
        return new StepOutcome(outcome.detail(), attributes);
    }
}
