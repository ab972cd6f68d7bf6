package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.steps.PostgresAdmin;
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
 * Carries out a {@link FailoverMode#FENCE} command: the split-brain rule saw an old primary that a failover replaced answer
 * as a writable primary again, and the cluster's fence steps are run against it — nothing else of the runbook. Guarded here
 * too, whoever sent the command: the node must be recorded as replaced by a standing failover of the cluster
 * ({@link ReplacedPrimaries}, read from {@code drpilot.actions} to its end; unreadable → refused for now); the legitimate
 * primary is never fenced. Idempotent: a node that is no writable primary any more is done. Neither a pause nor the cooldown
 * holds it back: they hold back failovers, and this changes no primary — it stops one that should not be.
 *
 * <p>Recorded under the command's incident: each fence step, and a summary ({@code mode=FENCE}, {@code fencedNode}) that
 * the failover-health rule reads like a failover's — a fence that failed or was refused pages.
 */
public final class FenceOnSight {
    private static final Logger log = LoggerFactory.getLogger(FenceOnSight.class);
    // How far back a replacement is looked for. drpilot.actions also holds every alert delivery, so a year of it may not be
    // readable within the read timeout (the fence would be deferred for good); a node replaced longer ago is refused (and
    // pages: the split-brain alert fires anyway) and fenced by hand. Like `drpilot failover history`'s default window.
    static final Duration HISTORY = Duration.ofDays(30);

    private final AuditLog audit;
    private final ActionWriter records;
    private final StepFactory steps;
    private final PostgresAdmin admin;
    private final Clock clock;

    /** @param records where its records go: the audit log, or the cluster's transactional recorder; the history is read from {@code audit} */
    public FenceOnSight(AuditLog audit, ActionWriter records, StepFactory steps, PostgresAdmin admin, Clock clock) {
        this.audit = audit;
        this.records = records;
        this.steps = steps;
        this.admin = admin;
        this.clock = clock;
    }

    public RunbookExecutor.Outcome execute(FailoverCommand command, ClusterConfig cluster, Runbook runbook) throws AuditLog.AuditException {
        Record record = new Record(command, cluster);
        Optional<NodeConfig> node = Optional.ofNullable(command.getFailedNode()).flatMap(cluster::node);
        if (node.isEmpty()) {
            return record.summary(RunbookExecutor.Outcome.REFUSED, "cluster " + cluster.name() + " has no node named " + command.getFailedNode(), Map.of());
        }
        ReplacedPrimaries.Judgement judgement;
        try {
            judgement = ReplacedPrimaries.judge(node.get().name(), audit.read(clock.instant().minus(HISTORY), ReplacedPrimaries.summaries(cluster.name())));
        } catch (ReadIncompleteException e) {
            record.summary(RunbookExecutor.Outcome.REFUSED, "refused for now: " + e.getMessage() + "; without the failover history nobody can"
                    + " tell a replaced old primary from the legitimate one, the command is tried again later", Map.of(FailoverGate.DEFERRED, "true"));
            return RunbookExecutor.Outcome.DEFERRED;
        }
        if (judgement.refusal().isPresent()) {
            return record.summary(RunbookExecutor.Outcome.REFUSED, "not fencing " + node.get().name() + ": " + judgement.refusal().get(), Map.of());
        }
        Map<String, String> replaced = Map.of("replacedBy", judgement.replacedBy().orElseThrow());
        Optional<String> before = notWritable(node.get());
        if (before.isPresent()) {
            return record.summary(RunbookExecutor.Outcome.SUCCEEDED, "nothing to fence: " + before.get(), replaced);
        }
        FailoverContext context = new FailoverContext(command.getIncidentId(), cluster, node, command.getDetectedAt(), false);
        List<Runbook.Step> fences = runbook.steps().stream().filter(step -> step.type() == Runbook.Type.FENCE).toList();
        if (fences.isEmpty()) {
            return record.summary(RunbookExecutor.Outcome.FAILED, "runbook " + cluster.failover().runbook() + " has no fence step: "
                    + node.get().name() + " still takes writes, fence it by hand", replaced);
        }
        for (int i = 0; i < fences.size(); i++) {
            FailoverStep step = steps.create(fences.get(i), cluster);
            String actionId = command.getIncidentId() + "/fence-" + (i + 1);
            Instant started = clock.instant();
            record.write(actionId, step.describe(), ActionStatus.STARTED, started, null, step.plan(context), Map.of());
            try {
                StepOutcome outcome = step.run(context, fences.get(i).timeout());
                record.write(actionId, step.describe(), ActionStatus.SUCCEEDED, started, clock.instant(), outcome.detail(), outcome.attributes());
            } catch (Exception e) {
                String why = e instanceof StepFailedException ? e.getMessage() : e.toString();
                record.write(actionId, step.describe(), ActionStatus.FAILED, started, clock.instant(), why, Map.of());
                return record.summary(RunbookExecutor.Outcome.FAILED, "failed at " + step.describe() + ": " + why, replaced);
            }
        }
        Optional<String> after = notWritable(node.get());
        return after.isPresent() ? record.summary(RunbookExecutor.Outcome.SUCCEEDED, "fenced " + node.get().name() + ": " + after.get(), replaced)
                : record.summary(RunbookExecutor.Outcome.FAILED, "the fence steps ran but " + node.get().name() + " still answers as a writable"
                        + " primary: fence it by hand", replaced);
    }

    /** What {@code node} is now when it is no writable primary; empty while it answers as one (or cannot be told from one). */
    private Optional<String> notWritable(NodeConfig node) {
        PostgresAdmin.Contact contact = admin.contact(node);
        if (contact instanceof PostgresAdmin.NoAnswer silent) {
            return Optional.of(node.name() + (silent.portClosed() ? " is not running (its port refuses connections)" : " does not answer"));
        }
        PostgresAdmin.Answer answer = ((PostgresAdmin.Answered) contact).answer();
        return answer.state().filter(PostgresAdmin.NodeState::inRecovery).map(state -> node.name() + " is in recovery: it takes no writes");
    }

    /** The records of one fence command. */
    private final class Record {
        private final FailoverCommand command;
        private final ClusterConfig cluster;

        Record(FailoverCommand command, ClusterConfig cluster) {
            this.command = command;
            this.cluster = cluster;
        }

        void write(String actionId, String name, ActionStatus status, Instant started, Instant finished, String detail,
                   Map<String, String> attributes) throws AuditLog.AuditException {
            records.write(ActionRecord.newBuilder().setActionId(actionId).setKind(ActionKind.FAILOVER_STEP).setName(name).setStatus(status)
                    .setIncidentId(command.getIncidentId()).setCluster(cluster.name()).setStartedAt(started).setFinishedAt(finished)
                    .setDetail(detail).setAttributes(new LinkedHashMap<>(attributes)).build());
        }

        RunbookExecutor.Outcome summary(RunbookExecutor.Outcome outcome, String detail, Map<String, String> extra) throws AuditLog.AuditException {
            Map<String, String> attributes = new LinkedHashMap<>(extra);
            attributes.put("outcome", outcome.name());
            attributes.put("mode", FailoverMode.FENCE.name());
            attributes.put("fencedNode", String.valueOf(command.getFailedNode()));
            ActionStatus status = outcome == RunbookExecutor.Outcome.SUCCEEDED ? ActionStatus.SUCCEEDED
                    : outcome == RunbookExecutor.Outcome.FAILED ? ActionStatus.FAILED : ActionStatus.REFUSED;
            ActionKind kind = status == ActionStatus.REFUSED ? ActionKind.FAILOVER_REFUSED : ActionKind.FAILOVER_SUMMARY;
            records.write(ActionRecord.newBuilder().setActionId(command.getIncidentId() + "/summary").setKind(kind).setName("summary")
                    .setStatus(status).setIncidentId(command.getIncidentId()).setCluster(cluster.name()).setStartedAt(command.getIssuedAt())
                    .setFinishedAt(clock.instant()).setDetail(detail).setAttributes(attributes).build());
            if (status == ActionStatus.SUCCEEDED) {
                log.info("[incident={} cluster={}] fence on sight: {}", command.getIncidentId(), cluster.name(), detail);
            } else {
                log.warn("[incident={} cluster={}] fence on sight {}: {}", command.getIncidentId(), cluster.name(), outcome, detail);
            }
            return outcome;
        }
    }
}
