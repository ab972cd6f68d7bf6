package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out one failover command: the cluster's runbook, step by step, each recorded on
 * {@code drpilot.actions} as STARTED before it runs and SUCCEEDED/FAILED/REFUSED/SKIPPED after.
 *
 * <p>At most once per incident, even across crashes: the records of the incident are read first;
 * a finished incident is not run again, a step recorded as SUCCEEDED is not repeated (the check
 * step's choice of candidate is restored from its record), and before any other step runs it is
 * asked whether the world already shows its effect — a replica already promoted is not promoted
 * again. A failed or refused step stops the runbook; the summary record says why, and the
 * detectors' failover-health rule raises the CRITICAL alert.
 */
public final class RunbookExecutor {
    private static final Logger log = LoggerFactory.getLogger(RunbookExecutor.class);

    private final AuditLog audit;
    private final StepFactory steps;
    private final Clock clock;
    private final Optional<OperatorControls> controls;
    private final ExecutorService runner = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "failover-step");
        thread.setDaemon(true);
        return thread;
    });

    public RunbookExecutor(AuditLog audit, StepFactory steps, Clock clock) {
        this(audit, steps, clock, Optional.empty());
    }

    /** @param controls operators' pause and approvals; without them no cluster is paused and manual mode cannot be approved */
    public RunbookExecutor(AuditLog audit, StepFactory steps, Clock clock, Optional<OperatorControls> controls) {
        this.audit = audit;
        this.steps = steps;
        this.clock = clock;
        this.controls = controls;
    }

    /** How a command ended. */
    public enum Outcome { SUCCEEDED, FAILED, REFUSED, DRY_RUN, ALREADY_DONE, STALE }

    public Outcome execute(FailoverCommand command, ClusterConfig cluster, Runbook runbook) throws AuditLog.AuditException, Stopped {
        return execute(command, cluster, runbook, () -> false);
    }

    /**
     * @param stopping asked before each step: when true the runbook stops there, unfinished and without a summary, so that the
     *                 next start of the actuator (which gets the command again) resumes it
     */
    public Outcome execute(FailoverCommand command, ClusterConfig cluster, Runbook runbook, java.util.function.BooleanSupplier stopping)
            throws AuditLog.AuditException, Stopped {
        String incident = command.getIncidentId();
        String prefix = "[incident=" + incident + " cluster=" + cluster.name() + "]";
        List<ActionRecord> history = audit.incident(incident, command.getIssuedAt().minus(Duration.ofMinutes(1)));
        if (history.stream().anyMatch(record -> record.getKind() == ActionKind.FAILOVER_SUMMARY)) {
            log.info("{} already carried out; nothing to do", prefix);
            return Outcome.ALREADY_DONE;
        }
        Optional<NodeConfig> failed = Optional.ofNullable(command.getFailedNode()).flatMap(cluster::node);
        boolean switchover = command.getMode() == FailoverMode.SWITCHOVER;
        FailoverContext context = new FailoverContext(incident, cluster, failed, command.getDetectedAt(), command.getForce(),
                switchover ? Optional.ofNullable(command.getTargetNode()) : Optional.empty());
        if (switchover && command.getTargetNode() == null) {
            return finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_REFUSED, "a switchover needs the node to switch to", Map.of());
        }
        boolean dryRun = command.getMode() == FailoverMode.DRY_RUN
                || command.getMode() != FailoverMode.SWITCHOVER && cluster.failover().mode() == dev.drpilot.config.FailoverSettings.Mode.DRY_RUN;
        // A command nobody acted on for longer than the cooldown (an actuator that was down, a new
        // deployment reading the topic from its start) is about an outage that may be long over:
        // failing over now could replace a healthy primary. A runbook already under way is finished.
        Duration age = Duration.between(command.getIssuedAt(), clock.instant());
        if (history.isEmpty() && age.compareTo(cluster.failover().cooldown()) > 0) {
            // Recorded as a SKIPPED summary, not a refusal: the outage was alerted when it happened
            // (failover-health), and a reset consumer group must not page once per old command.
            return finish(command, cluster, context, Outcome.STALE, ActionKind.FAILOVER_SUMMARY, "stale: the command was issued at "
                    + command.getIssuedAt() + ", more than " + Durations.format(cluster.failover().cooldown())
                    + " ago, and never acted on; check the cluster and fail over by hand (drpilot switchover) if it still needs it", Map.of());
        }
        // "off" is the configuration in force now, whatever it was when the command was issued: an
        // operator who switched failover off meant it. Only an operator's own switchover or --force goes on.
        if (!switchover && !command.getForce() && cluster.failover().mode() == dev.drpilot.config.FailoverSettings.Mode.OFF) {
            return finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_REFUSED,
                    "failover of " + cluster.name() + " is off in the actuator's configuration", Map.of());
        }
        // An operator's own switchover is neither paused nor held back by the cooldown or manual mode.
        Optional<ActionRecord> paused = switchover ? Optional.empty() : controls.flatMap(c -> c.pause(cluster.name()));
        if (paused.isPresent() && !command.getForce()) {
            return finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_REFUSED, "paused: " + paused.get().getDetail()
                    + " at " + paused.get().getStartedAt() + " (drpilot failover resume " + cluster.name() + ")", Map.of());
        }
        if (!dryRun && !switchover && (command.getMode() == FailoverMode.MANUAL
                || cluster.failover().mode() == dev.drpilot.config.FailoverSettings.Mode.MANUAL)) {
            Optional<Outcome> refused = awaitApproval(command, cluster, context, history, stopping, prefix);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        Optional<String> cooling = switchover ? Optional.empty() : cooldown(cluster, incident);
        if (cooling.isPresent() && !command.getForce()) {
            return finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_REFUSED, "cooldown: " + cooling.get(), Map.of());
        }

        Map<String, String> figures = new LinkedHashMap<>();
        List<Runbook.Step> plan = runbook.steps();
        for (int i = 0; i < plan.size(); i++) {
            Runbook.Step config = plan.get(i);
            if (stopping.getAsBoolean()) {
                log.warn("{} stopping before step {}: the runbook resumes at the next start", prefix, i + 1);
                throw new Stopped();
            }
            FailoverStep step = steps.create(config, cluster);
            String actionId = incident + "/" + (i + 1) + "-" + config.type().name().toLowerCase(Locale.ROOT);
            Optional<ActionRecord> recorded = history.stream()
                    .filter(record -> actionId.equals(record.getActionId()) && record.getStatus() == ActionStatus.SUCCEEDED).findFirst();
            if (recorded.isPresent()) {
                restore(context, cluster, recorded.get(), figures);
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
            attributes.put("durationMillis", Long.toString(Duration.between(started, finished).toMillis()));
            context.chosenCandidate().ifPresent(candidate -> attributes.putIfAbsent("candidate", candidate.name()));
            write(record(incident, cluster, ActionKind.FAILOVER_STEP, actionId, step.describe(), ActionStatus.SUCCEEDED, started, finished,
                    outcome.detail(), attributes));
            figures.putAll(attributes);
            log.info("{} step {} ({}) done in {} ms: {}", prefix, i + 1, step.describe(), attributes.get("durationMillis"), outcome.detail());
        }
        return finish(command, cluster, context, dryRun ? Outcome.DRY_RUN : Outcome.SUCCEEDED, ActionKind.FAILOVER_SUMMARY,
                dryRun ? "dry-run: every step planned, nothing changed" : "failed over to " + context.chosenCandidate().map(NodeConfig::name).orElse("?"),
                figures);
    }

    /**
     * Manual mode: records the request once (the detectors raise it as a CRITICAL alert), then
     * waits for an operator's approval, stopping with the actuator (the wait resumes at the next
     * start) or refusing after {@code failover.approvalTimeout}. Empty: approved, go on.
     */
    private Optional<Outcome> awaitApproval(FailoverCommand command, ClusterConfig cluster, FailoverContext context,
                                            List<ActionRecord> history, java.util.function.BooleanSupplier stopping, String prefix)
            throws AuditLog.AuditException, Stopped {
        String incident = command.getIncidentId();
        Optional<ActionRecord> requested = history.stream()
                .filter(record -> record.getKind() == ActionKind.FAILOVER_APPROVAL && record.getStatus() == ActionStatus.STARTED).findFirst();
        if (history.stream().anyMatch(record -> record.getKind() == ActionKind.FAILOVER_APPROVAL && record.getStatus() == ActionStatus.SUCCEEDED)) {
            return Optional.empty();
        }
        Instant since = requested.map(ActionRecord::getStartedAt).orElse(clock.instant());
        if (requested.isEmpty()) {
            write(record(incident, cluster, ActionKind.FAILOVER_APPROVAL, "approval", ActionStatus.STARTED, since, null,
                    "waiting for an operator's approval: drpilot failover approve " + incident, Map.of()));
            log.warn("{} manual mode: waiting for approval (drpilot failover approve {})", prefix, incident);
        }
        Duration limit = cluster.failover().approvalTimeout();
        while (true) {
            Optional<ActionRecord> approval = controls.flatMap(c -> c.approval(incident));
            if (approval.isPresent()) {
                write(record(incident, cluster, ActionKind.FAILOVER_APPROVAL, "approval", ActionStatus.SUCCEEDED, since, clock.instant(),
                        approval.get().getDetail(), approval.get().getAttributes()));
                log.info("{} {}", prefix, approval.get().getDetail());
                return Optional.empty();
            }
            if (stopping.getAsBoolean()) {
                throw new Stopped();
            }
            if (Duration.between(since, clock.instant()).compareTo(limit) > 0) {
                return Optional.of(finish(command, cluster, context, Outcome.REFUSED, ActionKind.FAILOVER_REFUSED,
                        "no operator approved the failover within " + Durations.format(limit), Map.of()));
            }
            try {
                Thread.sleep(1_000);   // an operator's approval is a remote event: there is nothing local to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
    }

    private StepOutcome run(FailoverStep step, FailoverContext context, Duration timeout) throws Exception {
        if (step.alreadyDone(context)) {
            return StepOutcome.of("already done: " + step.plan(context));
        }
        Future<StepOutcome> running = runner.submit(() -> step.run(context, timeout));
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new StepFailedException(step.describe() + " did not finish within its timeout of " + Durations.format(timeout));
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Takes the check step's choice and the figures back from a step recorded before a restart. */
    private static void restore(FailoverContext context, ClusterConfig cluster, ActionRecord record, Map<String, String> figures) {
        figures.putAll(record.getAttributes());
        Optional.ofNullable(record.getAttributes().get("candidate")).flatMap(cluster::node).ifPresent(context::chooseCandidate);
        if (context.failedPrimary().isEmpty()) {
            Optional.ofNullable(record.getAttributes().get("oldPrimary")).flatMap(cluster::node).ifPresent(context::replacingPrimary);
        }
        if (!record.getAttributes().containsKey("writableAt") && record.getActionId().endsWith("-promote") && record.getFinishedAt() != null) {
            figures.put("writableAt", record.getFinishedAt().toString());
        }
    }

    /** A failover of this cluster that succeeded less than the cooldown ago, if any. */
    private Optional<String> cooldown(ClusterConfig cluster, String incident) {
        Duration cooldown = cluster.failover().cooldown();
        Instant since = clock.instant().minus(cooldown);
        return audit.read(since, record -> record.getKind() == ActionKind.FAILOVER_SUMMARY && record.getStatus() == ActionStatus.SUCCEEDED
                        && cluster.name().equals(record.getCluster()) && !incident.equals(record.getIncidentId())
                        && !"true".equals(record.getAttributes().get("dryRun")))
                .stream().reduce((first, second) -> second)
                .map(last -> "failover " + last.getIncidentId() + " of " + cluster.name() + " ended at " + last.getFinishedAt()
                        + ", less than " + Durations.format(cooldown) + " ago");
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

    private void write(ActionRecord record) throws AuditLog.AuditException {
        audit.write(record);
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
