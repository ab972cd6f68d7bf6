package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.FailoverSettings;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.agent.AgentChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Asks a replaced old primary's agent to make it a replica of the current primary: for a {@link FailoverMode#REJOIN}
 * command ({@code drpilot rejoin}) and, with {@code failover.rejoin: auto}, at the end of every successful failover and
 * switchover. No failover: no gate, no runbook. The agent does the work and replies; {@link RejoinReplies} records the
 * reply. Here only the request is recorded (kind REJOIN, STARTED), or why there is none (REFUSED).
 *
 * <p>A command is judged on the cluster's failover summaries ({@link RejoinTarget}), read to their end from
 * {@code drpilot.actions}: a history that cannot be read refuses for now (recorded, tried again). The agent command's id is
 * the incident's and the node's, so a request sent again after a restart is carried out once by an agent that saw it.
 */
public final class RejoinRequests {
    private static final Logger log = LoggerFactory.getLogger(RejoinRequests.class);
    /** How long a rejoin request waits for its agent: a host that comes back within a day still gets it. */
    static final Duration EXPIRES_AFTER = Duration.ofHours(24);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    static final String REQUEST = "rejoin request";

    private final AuditLog audit;
    private final ActionWriter records;
    private final Optional<AgentChannel> agents;
    private final Optional<OperatorControls> controls;
    private final Clock clock;

    public RejoinRequests(AuditLog audit, ActionWriter records, Optional<AgentChannel> agents, Optional<OperatorControls> controls, Clock clock) {
        this.audit = audit;
        this.records = records;
        this.agents = agents;
        this.controls = controls;
        this.clock = clock;
    }

    /** A {@link FailoverMode#REJOIN} command: {@code failedNode} is the node to rejoin; {@code force} allows a base backup. */
    public RunbookExecutor.Outcome execute(FailoverCommand command, ClusterConfig cluster) throws AuditLog.AuditException {
        String node = String.valueOf(command.getFailedNode());
        String incident = command.getIncidentId();
        List<ActionRecord> summaries;
        boolean ordered;
        try {
            if (audit.incident(incident, command.getIssuedAt().minus(Duration.ofMinutes(1))).stream()
                    .anyMatch(record -> record.getKind() == ActionKind.REJOIN && record.getStatus() != ActionStatus.REFUSED)) {
                log.info("[incident={} cluster={}] rejoin of {} already requested", incident, cluster.name(), node);
                return RunbookExecutor.Outcome.ALREADY_DONE;
            }
            summaries = audit.read(clock.instant().minus(FenceOnSight.HISTORY), ReplacedPrimaries.summaries(cluster.name()));
            // Like a switchover, an operator's alone: the brokers let only the operator principal write the order it needs.
            ordered = controls.isEmpty() || controls.get().order(incident).isPresent();
        } catch (ReadIncompleteException e) {
            refuse(incident, cluster, node, "refused for now: " + e.getMessage() + "; without the failover history the current primary is"
                    + " not known, the command is tried again later", Map.of(FailoverGate.DEFERRED, "true"));
            return RunbookExecutor.Outcome.DEFERRED;
        }
        if (!ordered) {
            return refuse(incident, cluster, node, "a rejoin is an operator's command, and no operator ordered " + incident
                    + " on the control topic (drpilot rejoin writes the order)", Map.of());
        }
        RejoinTarget.Judgement judgement = RejoinTarget.judge(cluster, node, summaries);
        if (judgement.refusal().isPresent()) {
            return refuse(incident, cluster, node, "not rejoining " + node + ": " + judgement.refusal().get(), Map.of());
        }
        return request(incident, cluster, judgement.node().orElseThrow(), judgement.primary().orElseThrow(), command.getForce(),
                "requested by an operator: " + command.getReason());
    }

    /**
     * With {@code failover.rejoin: auto}: after a successful failover or switchover, the old primary's agent is asked to
     * rejoin it (no base backup: that replaces a data directory, a person's call). A failure is logged and recorded, never
     * thrown: the failover is done, and {@code drpilot rejoin} can ask again.
     */
    public void afterFailover(String incident, ClusterConfig cluster, Optional<NodeConfig> oldPrimary, Optional<NodeConfig> newPrimary) {
        if (cluster.failover().rejoin() != FailoverSettings.Rejoin.AUTO || oldPrimary.isEmpty() || newPrimary.isEmpty()
                || oldPrimary.get().agent().isEmpty() || oldPrimary.get().name().equals(newPrimary.get().name())) {
            return;
        }
        try {
            request(incident, cluster, oldPrimary.get(), newPrimary.get(), false, "failover.rejoin is auto: the old primary of " + incident);
        } catch (AuditLog.AuditException e) {
            log.error("[incident={} cluster={}] the automatic rejoin of {} could not be recorded ({}); rejoin it with drpilot rejoin {} {}",
                    incident, cluster.name(), oldPrimary.get().name(), e.getMessage(), cluster.name(), oldPrimary.get().name());
        }
    }

    private RunbookExecutor.Outcome request(String incident, ClusterConfig cluster, NodeConfig node, NodeConfig primary, boolean allowBaseBackup,
                                            String why) throws AuditLog.AuditException {
        if (agents.isEmpty()) {
            return refuse(incident, cluster, node.name(), "this actuator was started without a channel to the agents", Map.of());
        }
        Instant now = clock.instant();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("host", primary.host());
        details.put("port", Integer.toString(primary.port()));
        details.put("allowBaseBackup", Boolean.toString(allowBaseBackup));
        AgentCommand command = AgentCommand.newBuilder().setCommandId(incident + "/rejoin/" + node.name()).setCluster(cluster.name())
                .setNode(node.name()).setKind(AgentCommandKind.REJOIN).setNewPrimary(primary.name()).setIncidentId(incident)
                .setReason(why).setIssuedBy("drpilot failover actuator").setIssuedAt(now).setExpiresAt(now.plus(EXPIRES_AFTER))
                .setDetails(details).build();
        Map<String, String> attributes = new LinkedHashMap<>(details);
        attributes.put("mode", FailoverMode.REJOIN.name());
        attributes.put("node", node.name());
        attributes.put("newPrimary", primary.name());
        attributes.put("commandId", command.getCommandId());
        try {
            agents.get().send(command, SEND_TIMEOUT);
        } catch (AgentChannel.ChannelException e) {
            write(incident, cluster, ActionStatus.FAILED, now, "rejoin of " + node.name() + " onto " + primary.name() + " not requested: "
                    + e.getMessage() + "; ask again with drpilot rejoin " + cluster.name() + " " + node.name(), attributes);
            return RunbookExecutor.Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditLog.AuditException("interrupted while asking the agent of " + node.name() + " to rejoin", e);
        }
        write(incident, cluster, ActionStatus.STARTED, now, "rejoin of " + node.name() + " onto " + primary.name() + " (" + primary.host()
                + ":" + primary.port() + (allowBaseBackup ? ", a base backup allowed" : "") + ") requested from its agent (" + why
                + "); its reply is recorded as the rejoin's outcome", attributes);
        log.info("[incident={} cluster={}] rejoin of {} onto {} requested from its agent", incident, cluster.name(), node.name(), primary.name());
        return RunbookExecutor.Outcome.SUCCEEDED;
    }

    private RunbookExecutor.Outcome refuse(String incident, ClusterConfig cluster, String node, String why, Map<String, String> extra)
            throws AuditLog.AuditException {
        Map<String, String> attributes = new LinkedHashMap<>(extra);
        attributes.put("mode", FailoverMode.REJOIN.name());
        attributes.put("node", node);
        write(incident, cluster, ActionStatus.REFUSED, clock.instant(), why, attributes);
        log.warn("[incident={} cluster={}] {}", incident, cluster.name(), why);
        return RunbookExecutor.Outcome.REFUSED;
    }

    private void write(String incident, ClusterConfig cluster, ActionStatus status, Instant started, String detail, Map<String, String> attributes)
            throws AuditLog.AuditException {
        records.write(ActionRecord.newBuilder().setActionId(incident + "/" + REQUEST.replace(' ', '-')).setKind(ActionKind.REJOIN)
                .setName(REQUEST).setStatus(status).setIncidentId(incident).setCluster(cluster.name()).setStartedAt(started)
                .setFinishedAt(status == ActionStatus.STARTED ? null : clock.instant()).setDetail(detail)
                .setAttributes(new LinkedHashMap<>(attributes)).build());
    }
}
