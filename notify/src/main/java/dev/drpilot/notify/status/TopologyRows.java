package dev.drpilot.notify.status;

import dev.drpilot.notify.topology.LiveTopology;

import java.time.Instant;
import java.util.List;

/** The live topology as the page, {@code /api/status} and {@code drpilot status} print it: raw figures and their text. */
public final class TopologyRows {
    private TopologyRows() {
    }

    public static List<StatusSnapshot.ClusterTopology> of(List<LiveTopology.Cluster> clusters, Instant now) {
        return clusters.stream().map(cluster -> new StatusSnapshot.ClusterTopology(cluster.name(), cluster.primaries(),
                cluster.warning().orElse(null), cluster.nodes().stream().map(node -> row(node, now)).toList())).toList();
    }

    private static StatusSnapshot.NodeRow row(LiveTopology.Node node, Instant now) {
        boolean measured = node.lagSeconds().isPresent() || node.lagBytes().isPresent();
        return new StatusSnapshot.NodeRow(node.node(), node.role().label(), node.timeline().orElse(null), node.upstream().orElse(null),
                node.since().map(Instant::toString).orElse(null), node.since().map(at -> Figures.timeAndAge(at, now)).orElse(null),
                node.lagSeconds().orElse(null), node.lagBytes().orElse(null),
                measured ? Figures.lag(node.lagSeconds().orElse(null), node.lagBytes().orElse(null)) : null,
                node.configuredRole(), node.note().orElse(null), node.basis());
    }
}
