package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.config.MaintenanceWindow;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.FailoverGate.Admission;
import dev.drpilot.failover.FailoverGate.ApprovalWait;
import dev.drpilot.failover.FailoverGate.Decision;
import dev.drpilot.failover.FailoverGate.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Carries out one failover command: the cluster's runbook, step by step, each recorded on
 * {@code drpilot.actions} as STARTED before it runs and SUCCEEDED/FAILED/REFUSED/SKIPPED after —
 * once {@link FailoverGate} has admitted the command (a refusal or a stale command is recorded as
 * the summary, and manual mode waits here for an operator's approval).
 *
 * <p>At most once per incident, even across crashes: the records of the incident are read first;
 * a finished incident is not run again, a step recorded as SUCCEEDED is not repeated (the check
 * step's choice of candidate is restored from its record), and before any other step runs it is
 * asked whether the world already shows its effect — a replica already promoted is not promoted
 * again. A failed or refused step stops the runbook; the summary record says why, and the
 * detectors' failover-health rule raises the CRITICAL alert.
 *
 * <p>A record that cannot be written ends the run there, before the step it announces: nothing is done that is not
 * recorded. Through a {@link ClusterRecorder} ({@link #recordingWith}) that includes being fenced by another actuator
 * that took the cluster over ({@link FencedException}): this run then acts no further and writes nothing more.
 */
public final class RunbookExecutor {
    private static final Logger log = LoggerFactory.getLogger(RunbookExecutor.class);
    /** The MDC fields of a failover's log lines (logback.xml's JSON format writes them under {@code mdc}). */
    public static final String INCIDENT = "incident";
    public static final String CLUSTER = "cluster";
    public static final String STEP = "step";

    private final AuditLog audit;
    // Where the runbook's records go: the audit log's own producer, or the cluster's recorder (recordingWith).
    private final ActionWriter records;
    private final StepFactory steps;
    private final Clock clock;
    private final Optional<OperatorControls> controls;
    private final FenceOnSight fenceOnSight;
    private final RejoinRequests rejoins;
    private final ExecutorService runner;
    // Maintenance windows that pause failover of a cluster while open (the configuration's maintenance list).
    private final List<MaintenanceWindow> maintenance;

    public RunbookExecutor(AuditLog audit, StepFactory steps, Clock clock) {
        this(audit, steps, clock, Optional.empty());
    }

    /**
     * @param controls operators' pause, approvals and orders; without them no cluster is paused, manual mode cannot be
     *                 approved, and switchovers and forced commands are taken without an order
     */
    public RunbookExecutor(AuditLog audit, StepFactory steps, Clock clock, Optional<OperatorControls> controls) {
        this(audit, audit, steps, clock, controls, Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "failover-step");
            thread.setDaemon(true);
            return thread;
        }));
    }

    private RunbookExecutor(AuditLog audit, ActionWriter records, StepFactory steps, Clock clock, Optional<OperatorControls> controls,
                            ExecutorService runner) {
        this(audit, records, steps, clock, controls, runner, List.of());
    }

    private RunbookExecutor(AuditLog audit, ActionWriter records, StepFactory steps, Clock clock, Optional<OperatorControls> controls,
                            ExecutorService runner, List<MaintenanceWindow> maintenance) {
        this.maintenance = List.copyOf(maintenance);
        this.audit = audit;
        this.records = records;
        this.steps = steps;
        this.clock = clock;
        this.controls = controls;
        this.runner = runner;
        // A fence on sight records through the same writer as a failover: an actuator that lost the cluster fences nothing.
        this.fenceOnSight = new FenceOnSight(audit, records, steps, steps.admin(), clock);
        this.rejoins = new RejoinRequests(audit, records, steps.agents(), controls, clock);
    }

    /**
     * The same executor writing its records through {@code records} (a {@link ClusterRecorder}: the cluster's own
     * transactional producer) instead of the audit log's producer; it still reads the history from the audit log.
     */
    public RunbookExecutor recordingWith(ActionWriter records) {
        return new RunbookExecutor(audit, records, steps, clock, controls, runner, maintenance);
    }

    /**
     * The same executor, for which an open maintenance window with {@code pauseFailover} pauses its cluster as an operator's
     * {@code drpilot failover pause} does, until the window closes.
     */
    public RunbookExecutor withMaintenance(List<MaintenanceWindow> windows) {
        return new RunbookExecutor(audit, records, steps, clock, controls, runner, windows);
    }

    /** The pause of an open maintenance window that pauses {@code cluster}, as the gate reads an operator's pause. */
    static Optional<ActionRecord> maintenancePause(List<MaintenanceWindow> windows, String cluster, Instant now) {
        return windows.stream().filter(window -> window.pausesFailover(cluster, now)).findFirst().map(window -> {
            Instant until = window.openUntil(now).orElse(now);
            Instant opened = until.minus(window.duration());
            return ActionRecord.newBuilder().setActionId("maintenance/" + window.name()).setKind(ActionKind.OPERATOR)
                    .setName(FailoverGate.MAINTENANCE).setStatus(ActionStatus.SUCCEEDED).setCluster(cluster).setStartedAt(opened)
                    .setFinishedAt(opened).setDetail("failover of " + cluster + " paused by maintenance window " + window.name() + " (open until "
                            + until + ")").build();
        });
    }

    /**
     * How a command ended. DEFERRED: refused for now — the pauses or the history could not be read to their end, so
     * nothing was decided; the refusal is recorded (and pages) and the command is to be tried again later.
     */
    public enum Outcome { SUCCEEDED, FAILED, REFUSED, DRY_RUN, ALREADY_DONE, STALE, DEFERRED }

    public Outcome execute(FailoverCommand command, ClusterConfig cluster, Runbook runbook) throws AuditLog.AuditException, Stopped {
        return execute(command, cluster, runbook, () -> false);
    }

    /**
     * @param stopping asked before each step: when true the runbook stops there, unfinished and without a summary, so that the
     *                 next start of the actuator (which gets the command again) resumes it
     */
    public Outcome execute(FailoverCommand command, ClusterConfig cluster, Runbook runbook, BooleanSupplier stopping)
            throws AuditLog.AuditException, Stopped {
        // incident and cluster (and step, while one runs) as MDC fields on every line this failover logs, steps included:
        // a log collector filters on them (DRPILOT_LOG_FORMAT=json) instead of parsing the message's [incident=...] prefix.
        Map<String, String> before = MDC.getCopyOfContextMap();
        MDC.put(INCIDENT, command.getIncidentId());
        MDC.put(CLUSTER, cluster.name());
        try {
            return executeLogged(command, cluster, runbook, stopping);
        } finally {
            restore(before);
        }
    }

    private Outcome executeLogged(FailoverCommand command, ClusterConfig cluster, Runbook runbook, BooleanSupplier stopping)
            throws AuditLog.AuditException, Stopped {
        if (command.getMode() == FailoverMode.FENCE) {
            return fenceOnSight.execute(command, cluster, runbook);   // no failover: its own guard, no gate (see FenceOnSight)
        }
        if (command.getMode() == FailoverMode.REJOIN) {
            return rejoins.execute(command, cluster);   // no failover either: the old primary's agent does the work
        }
        String incident = command.getIncidentId();
        String prefix = "[incident=" + incident + " cluster=" + cluster.name() + "]";
        List<ActionRecord> history;
        Decision decision;
        try {
            history = new ArrayList<>(audit.incident(incident, command.getIssuedAt().minus(Duration.ofMinutes(1))));
            decision = admit(command, cluster, history, stopping, prefix);
        } catch (ReadIncompleteException e) {
            // Fail closed: a decision on part of the pauses or of the history could miss the record that forbids it.
            return defer(command, cluster, e, prefix);
        }
        if (decision.verdict() == Verdict.ALREADY_DONE) {
            log.info("{} {}", prefix, decision.reason());
            return Outcome.ALREADY_DONE;
        }
        Optional<NodeConfig> failed = Optional.ofNullable(command.getFailedNode()).flatMap(cluster::node);
        boolean switchover = command.getMode() == FailoverMode.SWITCHOVER;
        FailoverContext context = new FailoverContext(incident, cluster, failed, command.getDetectedAt(), command.getForce(),
                switchover ? Optional.ofNullable(command.getTargetNode()) : Optional.empty());
        if (decision.verdict() == Verdict.REFUSE) {
            return finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_REFUSED, decision.reason(), Map.of());
        }
        if (decision.verdict() == Verdict.STALE) {
            return finish(command, cluster, context, Outcome.STALE, ActionKind.FAILOVER_SUMMARY, decision.reason(), Map.of());
        }
        if (decision.verdict() != Verdict.RUN && decision.verdict() != Verdict.RUN_DRY) {
            throw new IllegalStateException(prefix + " the gate left the failover undecided: " + decision);
        }
        boolean dryRun = decision.verdict() == Verdict.RUN_DRY;

        Map<String, String> figures = new LinkedHashMap<>();
        List<Runbook.Step> plan = runbook.steps();
        for (int i = 0; i < plan.size(); i++) {
            Runbook.Step config = plan.get(i);
            if (stopping.getAsBoolean()) {
                log.warn("{} stopping before step {}: the runbook resumes at the next start", prefix, i + 1);
                throw new Stopped();
            }
            FailoverStep step = steps.create(config, cluster);
            String stepId = (i + 1) + "-" + config.type().name().toLowerCase(Locale.ROOT);
            String actionId = incident + "/" + stepId;
            MDC.put(STEP, stepId);
            Optional<ActionRecord> recorded = history.stream()
                    .filter(record -> actionId.equals(record.getActionId()) && record.getStatus() == ActionStatus.SUCCEEDED).findFirst();
            if (recorded.isPresent()) {
                restore(context, cluster, config.type(), recorded.get(), figures);
                log.info("{} step {} ({}) already recorded as done", prefix, i + 1, step.describe());
                continue;
            }
            Instant started = clock.instant();
            if (dryRun && config.type() != Runbook.Type.CHECK) {
                // The check only reads, so a dry run makes the same choice a real run would; nothing else runs.
                write(record(incident, cluster, ActionKind.FAILOVER_STEP, actionId, step.describe(), ActionStatus.SKIPPED, started, started,
                        "dry-run: would " + step.plan(context), Map.of("dryRun", "true")));
                continue;
            }
            write(record(incident, cluster, ActionKind.FAILOVER_STEP, actionId, step.describe(), ActionStatus.STARTED, started, null,
                    step.plan(context), Map.of()));
            StepOutcome outcome;
            try {
                outcome = run(step, context, config.timeout());
            } catch (FailoverRefusedException e) {
                write(record(incident, cluster, ActionKind.FAILOVER_REFUSED, actionId, step.describe(), ActionStatus.REFUSED, started,
                        clock.instant(), e.getMessage(), Map.of()));
                log.warn("{} step {} ({}) refused: {}", prefix, i + 1, step.describe(), e.getMessage());
                return finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_SUMMARY, "refused at " + step.describe() + ": " + e.getMessage(), figures);
            } catch (Exception e) {
                String why = e instanceof StepFailedException ? e.getMessage() : e.toString();
                write(record(incident, cluster, ActionKind.FAILOVER_STEP, actionId, step.describe(), ActionStatus.FAILED, started,
                        clock.instant(), why, Map.of()));
                log.error("{} step {} ({}) failed: {}", prefix, i + 1, step.describe(), why);
                return finish(command, cluster, context, Outcome.FAILED, ActionKind.FAILOVER_SUMMARY, "failed at " + step.describe() + ": " + why, figures);
            }
            Instant finished = clock.instant();
            Map<String, String> attributes = new LinkedHashMap<>(outcome.attributes());
            context.recordFence(attributes.get("fenced"));
            attributes.put("durationMillis", Long.toString(Duration.between(started, finished).toMillis()));
            context.chosenCandidate().ifPresent(candidate -> attributes.putIfAbsent("candidate", candidate.name()));
            write(record(incident, cluster, ActionKind.FAILOVER_STEP, actionId, step.describe(), ActionStatus.SUCCEEDED, started, finished,
                    outcome.detail(), attributes));
            figures.putAll(attributes);
            log.info("{} step {} ({}) done in {} ms: {}", prefix, i + 1, step.describe(), attributes.get("durationMillis"), outcome.detail());
        }
        MDC.remove(STEP);
        Outcome outcome = finish(command, cluster, context, dryRun ? Outcome.DRY_RUN : Outcome.SUCCEEDED, ActionKind.FAILOVER_SUMMARY,
                dryRun ? "dry-run: every step planned, nothing changed" : "failed over to " + context.chosenCandidate().map(NodeConfig::name).orElse("?"),
                figures);
        if (outcome == Outcome.SUCCEEDED) {
            rejoins.afterFailover(incident, cluster, context.failedPrimary(), context.chosenCandidate());
        }
        return outcome;
    }

    /** The gate's decision on the command, once an operator approved it if manual mode asks for that. */
    private Decision admit(FailoverCommand command, ClusterConfig cluster, List<ActionRecord> history, BooleanSupplier stopping,
                           String prefix) throws AuditLog.AuditException, Stopped, ReadIncompleteException {
        // One read of the operators' instructions serves the pause and the order, and both askings of the gate.
        Optional<OperatorControls.Instructions> instructions = controls.isPresent() ? Optional.of(controls.get().read()) : Optional.empty();
        Optional<ActionRecord> pause = instructions.flatMap(standing -> standing.pause(cluster.name()))
                .or(() -> maintenancePause(maintenance, cluster.name(), clock.instant()));
        boolean ordered = operatorOrdered(command, instructions);
        Decision decision = FailoverGate.decide(admission(command, cluster, history, pause, ordered));
        if (decision.verdict() != Verdict.AWAIT_APPROVAL) {
            return decision;
        }
        Decision approval = awaitApproval(command, cluster, decision.reason(), history, stopping, prefix);
        if (approval.verdict() != Verdict.APPROVED) {
            return approval;
        }
        // Asked again with the approval on record, so that the cooldown is judged as of now, when the
        // runbook would start, not as of when the wait began. The gates before the approval see the
        // same inputs as on arrival (the pause is not read again), so they pass again.
        return FailoverGate.decide(admission(command, cluster, history, pause, ordered));
    }

    private Admission admission(FailoverCommand command, ClusterConfig cluster, List<ActionRecord> history, Optional<ActionRecord> pause,
                                boolean operatorOrdered) throws AuditLog.AuditException, ReadIncompleteException {
        Instant now = clock.instant();
        return new Admission(command, cluster.name(), cluster.failover(), history, pause, recentFailover(cluster, command.getIncidentId(), now),
                operatorOrdered, now);
    }

    /**
     * Whether the operator ordered this switchover or forced command on the control topic (other commands need no
     * order). Without controls (tests, drills) there is no operator channel to check.
     */
    private static boolean operatorOrdered(FailoverCommand command, Optional<OperatorControls.Instructions> instructions) {
        boolean operatorsOnly = command.getMode() == FailoverMode.SWITCHOVER || command.getForce();
        return !operatorsOnly || instructions.isEmpty() || instructions.get().order(command.getIncidentId()).isPresent();
    }

    /**
     * Manual mode: records the request once (the detectors raise it as a CRITICAL alert), then
     * waits for an operator's approval, stopping with the actuator (the wait resumes at the next
     * start) or refusing after {@code failover.approvalTimeout}. APPROVED: the approval is recorded,
     * in {@code history} too.
     */
    private Decision awaitApproval(FailoverCommand command, ClusterConfig cluster, String request, List<ActionRecord> history,
                                   BooleanSupplier stopping, String prefix) throws AuditLog.AuditException, Stopped {
        String incident = command.getIncidentId();
        Optional<ActionRecord> requested = FailoverGate.approvalRequest(history);
        Instant since = requested.map(ActionRecord::getStartedAt).orElse(clock.instant());
        if (requested.isEmpty()) {
            history.add(write(record(incident, cluster, ActionKind.FAILOVER_APPROVAL, "approval", ActionStatus.STARTED, since, null,
                    request, Map.of())));
            log.warn("{} manual mode: waiting for approval (drpilot failover approve {})", prefix, incident);
        }
        ApprovalWait wait = new ApprovalWait(incident, since, cluster.failover().approvalTimeout(), cluster.failover().approvalValidity());
        Set<String> reported = new HashSet<>();
        while (true) {
            Optional<ActionRecord> approval = approval(incident, prefix);
            Instant now = clock.instant();
            Decision look = wait.check(approval, now);
            if (approval.isPresent() && reported.add(approval.get().getActionId())) {
                Optional<String> ignored = wait.ignored(approval.get(), now);
                if (ignored.isPresent()) {
                    reportIgnored(command, cluster, approval.get(), ignored.get(), prefix);
                }
            }
            if (look.verdict() == Verdict.APPROVED) {
                history.add(write(record(incident, cluster, ActionKind.FAILOVER_APPROVAL, "approval", ActionStatus.SUCCEEDED, since,
                        clock.instant(), look.reason(), approval.orElseThrow().getAttributes())));
                log.info("{} {}", prefix, look.reason());
                return look;
            }
            if (stopping.getAsBoolean()) {
                throw new Stopped();
            }
            if (look.verdict() == Verdict.REFUSE) {
                return look;
            }
            try {
                Thread.sleep(1_000);   // an operator's approval is a remote event: there is nothing local to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
    }

    /**
     * An approval that does not count, on the audit trail (as an operator's record: it neither resolves nor raises the
     * approval page) and in the log.
     */
    private void reportIgnored(FailoverCommand command, ClusterConfig cluster, ActionRecord approval, String why, String prefix)
            throws AuditLog.AuditException {
        Instant now = clock.instant();
        Map<String, String> attributes = new LinkedHashMap<>(approval.getAttributes());
        attributes.put("approvalId", approval.getActionId());
        write(record(command.getIncidentId(), cluster, ActionKind.OPERATOR, command.getIncidentId() + "/approval-ignored/" + approval.getActionId(),
                "approval ignored", ActionStatus.SKIPPED, now, now, why, attributes));
        log.warn("{} {}", prefix, why);
    }

    /** The operator's approval of the incident; none while the control topic cannot be read (the wait goes on, fail closed). */
    private Optional<ActionRecord> approval(String incident, String prefix) throws AuditLog.AuditException {
        if (controls.isEmpty()) {
            return Optional.empty();
        }
        try {
            return controls.get().approval(incident);
        } catch (ReadIncompleteException e) {
            log.warn("{} cannot read the operators' approvals, still waiting: {}", prefix, e.getMessage());
            return Optional.empty();
        }
    }

    /** Records the refusal for now (it pages like any refusal) and leaves the command to be tried again. */
    private Outcome defer(FailoverCommand command, ClusterConfig cluster, ReadIncompleteException e, String prefix)
            throws AuditLog.AuditException {
        Instant now = clock.instant();
        String detail = "refused for now: " + e.getMessage() + "; nothing was decided on part of what must be read, the command is tried"
                + " again later";
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("outcome", Outcome.REFUSED.name());
        attributes.put("mode", command.getMode().name());
        attributes.put(FailoverGate.DEFERRED, "true");
        write(record(command.getIncidentId(), cluster, ActionKind.FAILOVER_REFUSED, command.getIncidentId() + "/summary", "summary",
                ActionStatus.REFUSED, command.getIssuedAt(), now, detail, attributes));
        log.warn("{} {}", prefix, detail);
        return Outcome.DEFERRED;
    }

    private StepOutcome run(FailoverStep step, FailoverContext context, Duration timeout) throws Exception {
        if (step.alreadyDone(context)) {
            return new StepOutcome("already done: " + step.plan(context), step.alreadyDoneAttributes());
        }
        // The step runs on the runner's thread: it logs with this failover's MDC too.
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Future<StepOutcome> running = runner.submit(() -> {
            Map<String, String> before = MDC.getCopyOfContextMap();
            restore(mdc);
            try {
                return step.run(context, timeout);
            } finally {
                restore(before);
            }
        });
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new StepFailedException(step.describe() + " did not finish within its timeout of " + Durations.format(timeout));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Puts the MDC back as it was (a copy taken before; null when it was empty). */
    private static void restore(Map<String, String> mdc) {
        if (mdc == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(mdc);
        }
    }

    /** Takes the check step's choice and the figures back from a step recorded before a restart. */
    private static void restore(FailoverContext context, ClusterConfig cluster, Runbook.Type type, ActionRecord record,
                                Map<String, String> figures) {
        figures.putAll(record.getAttributes());
        context.recordFence(record.getAttributes().get("fenced"));
        Optional.ofNullable(record.getAttributes().get("candidate")).flatMap(cluster::node).ifPresent(context::chooseCandidate);
        if (context.failedPrimary().isEmpty()) {
            Optional.ofNullable(record.getAttributes().get("oldPrimary")).flatMap(cluster::node).ifPresent(context::replacingPrimary);
        }
        if (!record.getAttributes().containsKey("writableAt") && type == Runbook.Type.PROMOTE && record.getFinishedAt() != null) {
            figures.put("writableAt", record.getFinishedAt().toString());
        }
    }

    /** The last failover of this cluster by another incident recorded less than the cooldown before {@code now}, if any. */
    private Optional<ActionRecord> recentFailover(ClusterConfig cluster, String incident, Instant now) throws ReadIncompleteException {
        return audit.read(now.minus(cluster.failover().cooldown()), FailoverGate.countsForCooldown(cluster.name(), incident))
                .stream().reduce((first, second) -> second);
    }

    private Outcome finish(FailoverCommand command, ClusterConfig cluster, FailoverContext context, Outcome outcome, ActionKind kind,
                           String detail, Map<String, String> figures) throws AuditLog.AuditException {
        Instant now = clock.instant();
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("outcome", outcome.name());
        summary.put("mode", command.getMode().name());
        context.failedPrimary().ifPresent(node -> summary.put("oldPrimary", node.name()));
        context.chosenCandidate().ifPresent(node -> summary.put("newPrimary", node.name()));
        Optional.ofNullable(figures.get("writableAt")).map(Instant::parse).ifPresent(writable ->
                summary.put("rtoMillis", Long.toString(Duration.between(command.getDetectedAt(), writable).toMillis())));
        for (String figure : List.of("dataLossBytes", "lagBytes", "lagSeconds", "forced")) {
            Optional.ofNullable(figures.get(figure)).ifPresent(value -> summary.put(figure, value));
        }
        if (outcome == Outcome.DRY_RUN) {
            summary.put("dryRun", "true");
        }
        ActionStatus status = switch (outcome) {
            case SUCCEEDED, DRY_RUN, ALREADY_DONE -> ActionStatus.SUCCEEDED;
            case REFUSED -> ActionStatus.REFUSED;
            case STALE -> ActionStatus.SKIPPED;
            default -> ActionStatus.FAILED;
        };
        write(record(command.getIncidentId(), cluster, kind, command.getIncidentId() + "/summary", "summary", status,
                command.getIssuedAt(), now, detail + summaryText(summary), summary));
        log.info("[incident={} cluster={}] {}: {}", command.getIncidentId(), cluster.name(), outcome, detail + summaryText(summary));
        return outcome;
    }

    private static String summaryText(Map<String, String> summary) {
        StringBuilder text = new StringBuilder();
        Optional.ofNullable(summary.get("rtoMillis")).ifPresent(rto -> text.append("; recovery time ")
                .append(String.format(Locale.ROOT, "%.1f s", Long.parseLong(rto) / 1000.0)));
        Optional.ofNullable(summary.get("dataLossBytes")).ifPresent(bytes -> text.append("; estimated data loss ").append(bytes)
                .append(" bytes / ").append(summary.getOrDefault("lagSeconds", "0")).append(" s"));
        return text.toString();
    }

    private ActionRecord write(ActionRecord record) throws AuditLog.AuditException {
        records.write(record);
        return record;
    }

    private static ActionRecord record(String incident, ClusterConfig cluster, ActionKind kind, String name, ActionStatus status,
                                       Instant started, Instant finished, String detail, Map<String, String> attributes) {
        return record(incident, cluster, kind, incident + "/" + name, name, status, started, finished, detail, attributes);
    }

    private static ActionRecord record(String incident, ClusterConfig cluster, ActionKind kind, String actionId, String name,
                                       ActionStatus status, Instant started, Instant finished, String detail, Map<String, String> attributes) {
        return ActionRecord.newBuilder().setActionId(actionId).setKind(kind).setName(name).setStatus(status).setIncidentId(incident)
                .setCluster(cluster.name()).setStartedAt(started).setFinishedAt(finished).setDetail(detail)
                .setAttributes(new LinkedHashMap<>(attributes)).build();
    }

    /** The actuator is stopping: the runbook was left between two steps, to be resumed. */
    public static final class Stopped extends Exception {
        Stopped() {
            super("stopped between steps");
        }
    }
}
