package dev.drpilot.failover.agent;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentReply;
import dev.drpilot.schemas.topic.Topics;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An agent's reply to a REJOIN command as the rejoin's record on {@code drpilot.actions}: kind REJOIN, name
 * {@code rejoin}, the outcome as the status, the agent's report in words as the detail, its figures as attributes (with
 * {@code node}, {@code agentId} and {@code commandId} added). The agent may not write the audit trail itself; what it
 * reports reaches it only through here. A pure function.
 */
public final class RejoinReplyRecord {
    public static final String NAME = "rejoin";
    /** The attribute an agent's rejoin reply names its command's incident with. */
    public static final String INCIDENT = "incidentId";

    private RejoinReplyRecord() {
    }

    /**
     * The record, or why the reply is not one to record: the key it came under must be its own node's (an agent may report
     * only about its own node; the key is what the brokers' partitioning and the agent's producer agree on).
     *
     * @throws IllegalArgumentException a reply keyed for another node than the one it names
     */
    public static ActionRecord of(String key, AgentReply reply) {
        String own = Topics.agentKey(reply.getCluster(), reply.getNode());
        if (!own.equals(key)) {
            throw new IllegalArgumentException("a reply keyed " + key + " names node " + own + ": an agent may report only about its own node");
        }
        Map<String, String> attributes = new LinkedHashMap<>(reply.getAttributes());
        attributes.put("node", reply.getNode());
        attributes.put("agentId", reply.getAgentId());
        attributes.put("commandId", reply.getCommandId());
        Optional<String> incident = Optional.ofNullable(reply.getAttributes().get(INCIDENT)).filter(id -> !id.isBlank());
        String actionId = incident.map(id -> id + "/rejoin-" + reply.getNode())
                .orElse("rejoin/" + reply.getCluster() + "/" + reply.getNode() + "/" + reply.getCommandId());
        return ActionRecord.newBuilder().setActionId(actionId).setKind(ActionKind.REJOIN).setName(NAME).setStatus(status(reply))
                .setIncidentId(incident.orElse(null)).setCluster(reply.getCluster()).setStartedAt(startedAt(reply))
                .setFinishedAt(reply.getRepliedAt()).setDetail(reply.getDetail()).setAttributes(attributes).build();
    }

    /** When the agent began (its {@code startedAt}, the agent host's clock like {@code repliedAt}), else when it replied. */
    private static Instant startedAt(AgentReply reply) {
        try {
            return Optional.ofNullable(reply.getAttributes().get("startedAt")).map(Instant::parse).orElse(reply.getRepliedAt());
        } catch (DateTimeParseException e) {
            return reply.getRepliedAt();
        }
    }

    private static ActionStatus status(AgentReply reply) {
        switch (reply.getOutcome()) {
            case DONE:
                return ActionStatus.SUCCEEDED;
            case REFUSED:
                return ActionStatus.REFUSED;
            default:
                return ActionStatus.FAILED;
        }
    }
}
