package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;

import java.util.UUID;

/**
 * Who an agent is on the topics: its cluster and node, the component the cluster belongs to, and an id that is new at
 * every start (a lease's sequence numbers are ordered within one agent id).
 */
record AgentIdentity(String cluster, String node, String component, String agentId) {
    static AgentIdentity fresh(String cluster, String node, String component) {
        return new AgentIdentity(cluster, node, component, "agent-" + node + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** The collector id stamped on its observations: reserved for agents, counted only for a configured agent. */
    String collectorId() {
        return AgentSettings.collectorId(cluster, node);
    }

    String vantage() {
        return AgentSettings.vantage(node);
    }
}
