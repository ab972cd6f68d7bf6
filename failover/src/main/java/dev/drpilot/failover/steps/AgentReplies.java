package dev.drpilot.failover.steps;

import dev.drpilot.events.AgentReply;

import java.util.LinkedHashMap;
import java.util.Map;

/** How an agent's reply goes into a step's record: the agent reports through the reply, the actuator records it. */
final class AgentReplies {
    private AgentReplies() {
    }

    static Map<String, String> attributes(AgentReply reply) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("agentReply", reply.getOutcome().name());
        attributes.put("agentId", reply.getAgentId());
        attributes.put("agentCommand", reply.getCommandId());
        reply.getAttributes().forEach((key, value) -> attributes.put("agent." + key, value));
        return attributes;
    }
}
