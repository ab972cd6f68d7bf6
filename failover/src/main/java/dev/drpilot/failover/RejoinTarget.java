package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ActionRecord;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whether a node may be told to rejoin, and onto which primary: a pure function of the configuration and the cluster's
 * successful failover summaries ({@link ReplacedPrimaries#summaries}). The current primary is the newest summary's
 * {@code newPrimary}, or the configured primary when no failover is on record. The node is refused when it is unknown,
 * when it is that primary (a rejoin stops the server it runs on), when it has no agent (nothing on its host could do it),
 * or when the current primary is not a node of the configuration.
 */
public final class RejoinTarget {
    private RejoinTarget() {
    }

    /** Exactly one of: the node and the primary it is to follow, or why not. */
    public record Judgement(Optional<NodeConfig> node, Optional<NodeConfig> primary, Optional<String> refusal) {
        static Judgement refused(String why) {
            return new Judgement(Optional.empty(), Optional.empty(), Optional.of(why));
        }
    }

    /** @param summaries the cluster's successful failover and switchover summaries, in any order */
    public static Judgement judge(ClusterConfig cluster, String node, List<ActionRecord> summaries) {
        Optional<NodeConfig> rejoining = cluster.node(node);
        if (rejoining.isEmpty()) {
            return Judgement.refused("cluster " + cluster.name() + " has no node named " + node);
        }
        Optional<ActionRecord> newest = summaries.stream().max(Comparator.comparing(ActionRecord::getFinishedAt,
                Comparator.nullsFirst(Comparator.naturalOrder())));
        Optional<String> current = newest.isPresent() ? Optional.ofNullable(newest.get().getAttributes().get("newPrimary"))
                : cluster.nodes().stream().filter(candidate -> candidate.role() == NodeConfig.Role.PRIMARY).map(NodeConfig::name).findFirst();
        String source = newest.map(summary -> "failover " + summary.getIncidentId()).orElse("the configuration");
        if (current.isEmpty()) {
            return Judgement.refused("no current primary of cluster " + cluster.name() + " is known (no failover on record and no node"
                    + " configured with role: primary)");
        }
        if (current.get().equals(node)) {
            return Judgement.refused(node + " is the current primary of cluster " + cluster.name() + " (per " + source + "): a rejoin"
                    + " would stop it");
        }
        Optional<NodeConfig> primary = cluster.node(current.get());
        if (primary.isEmpty()) {
            return Judgement.refused("the current primary " + current.get() + " (per " + source + ") is not a node of cluster "
                    + cluster.name() + " in this configuration");
        }
        if (rejoining.get().agent().isEmpty()) {
            return Judgement.refused(node + " has no agent (clusters." + cluster.name() + ".nodes[" + cluster.nodes().indexOf(rejoining.get())
                    + "].agent): nothing on its host can rejoin it; rebuild it as a replica of " + current.get() + " by hand");
        }
        return new Judgement(rejoining, primary, Optional.empty());
    }
}
