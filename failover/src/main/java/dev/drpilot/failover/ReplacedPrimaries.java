package dev.drpilot.failover;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverMode;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which nodes of a cluster its failovers replaced, from their summaries on {@code drpilot.actions}: the guard of a fence
 * on sight. A node may be fenced only when a successful failover or switchover recorded it as {@code oldPrimary} and no
 * later one made it the {@code newPrimary} again — the legitimate primary is never fenced, whoever asks. A pure function.
 */
public final class ReplacedPrimaries {
    private ReplacedPrimaries() {
    }

    /** The summaries this guard reads: successful, real (not a dry run, not a fence), of {@code cluster}. */
    public static Predicate<ActionRecord> summaries(String cluster) {
        return record -> record.getKind() == ActionKind.FAILOVER_SUMMARY && record.getStatus() == ActionStatus.SUCCEEDED
                && cluster.equals(record.getCluster()) && "SUCCEEDED".equals(record.getAttributes().get("outcome"))
                && !FailoverMode.FENCE.name().equals(record.getAttributes().get("mode"))
                && record.getAttributes().containsKey("newPrimary");
    }

    /**
     * The incident whose failover replaced {@code node} and still stands, or why {@code node} must not be fenced.
     *
     * @param summaries the cluster's successful failover summaries ({@link #summaries}), in any order
     */
    public static Judgement judge(String node, List<ActionRecord> summaries) {
        List<ActionRecord> ordered = summaries.stream().sorted(Comparator.comparing(ActionRecord::getFinishedAt,
                Comparator.nullsFirst(Comparator.naturalOrder()))).toList();
        Optional<ActionRecord> replacing = Optional.empty();
        for (ActionRecord summary : ordered) {
            if (node.equals(summary.getAttributes().get("oldPrimary"))) {
                replacing = Optional.of(summary);
            } else if (node.equals(summary.getAttributes().get("newPrimary"))) {
                replacing = Optional.empty();
            }
        }
        Optional<String> legitimate = ordered.isEmpty() ? Optional.empty()
                : Optional.ofNullable(ordered.get(ordered.size() - 1).getAttributes().get("newPrimary"));
        if (legitimate.filter(node::equals).isPresent()) {
            return Judgement.refused(node + " is the primary the newest failover (" + ordered.get(ordered.size() - 1).getIncidentId()
                    + ") promoted: the legitimate primary is never fenced");
        }
        if (replacing.isEmpty()) {
            return Judgement.refused("no standing failover of the cluster replaced " + node + " (it was never recorded as oldPrimary, or a"
                    + " later failover made it primary again): only a replaced old primary is fenced on sight");
        }
        return new Judgement(replacing.map(ActionRecord::getIncidentId), Optional.empty());
    }

    /** Exactly one of: the incident that replaced the node, or why it is not to be fenced. */
    public record Judgement(Optional<String> replacedBy, Optional<String> refusal) {
        static Judgement refused(String why) {
            return new Judgement(Optional.empty(), Optional.of(why));
        }
    }
}
