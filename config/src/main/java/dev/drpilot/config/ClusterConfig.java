package dev.drpilot.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A PostgreSQL cluster: a primary and its replicas, and how it may be failed over.
 *
 * @param replicationInterval how often the replication collector reads the cluster's replication state
 * @param cloudwatch          for RDS: read ReplicaLag from CloudWatch as well
 */
public record ClusterConfig(String name, String component, List<NodeConfig> nodes, Duration replicationInterval,
                            Optional<CloudWatchSource> cloudwatch, FailoverSettings failover) {
    public ClusterConfig {
        nodes = List.copyOf(nodes);
    }

    public Optional<NodeConfig> node(String nodeName) {
        return nodes.stream().filter(node -> node.name().equals(nodeName)).findFirst();
    }
}
