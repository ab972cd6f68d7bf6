package dev.drpilot.agent.failsafe;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who an agent of a failsafe cluster talks to: every other node of the cluster as configured — its PostgreSQL address (a
 * replica confirms only a primary it streams from at exactly that address) and its agent's — and the token they share.
 * The configuration's checks ({@code failover.failsafe}) made sure each of them has an agent on a fixed port and the
 * same token.
 */
public record FailsafePeers(String cluster, String self, Secret token, List<Peer> peers) {
    public FailsafePeers {
        peers = List.copyOf(peers);
    }

    /** Another node of the cluster: its server at {@code host:pgPort}, its agent at {@code host:agentPort}. */
    public record Peer(String node, String host, int pgPort, int agentPort) {
        String pgAddress() {
            return host + ":" + pgPort;
        }
    }

    /** The failsafe peers of {@code node}, when its cluster has failsafe mode on. */
    public static Optional<FailsafePeers> of(DrpilotConfig config, String cluster, String node) {
        ClusterConfig clusterConfig = config.clusters().get(cluster);
        if (clusterConfig == null || !clusterConfig.failover().failsafe()) {
            return Optional.empty();
        }
        Optional<Secret> token = clusterConfig.node(node).flatMap(NodeConfig::agent).flatMap(AgentSettings::failsafeToken);
        if (token.isEmpty()) {
            throw new IllegalArgumentException("clusters." + cluster + " has failover.failsafe on but node " + node
                    + " has no agent.failsafeToken (drpilot config check names what is missing)");
        }
        List<Peer> peers = new ArrayList<>();
        for (NodeConfig other : clusterConfig.nodes()) {
            if (!other.name().equals(node)) {
                int agentPort = other.agent().map(AgentSettings::listenPort).orElseThrow(() -> new IllegalArgumentException("clusters."
                        + cluster + " has failover.failsafe on but node " + other.name() + " has no agent"));
                peers.add(new Peer(other.name(), other.host(), other.port(), agentPort));
            }
        }
        return Optional.of(new FailsafePeers(cluster, node, token.get(), peers));
    }

    public Optional<Peer> peer(String node) {
        return peers.stream().filter(peer -> peer.node().equals(node)).findFirst();
    }
}
