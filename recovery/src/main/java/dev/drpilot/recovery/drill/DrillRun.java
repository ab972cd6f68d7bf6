package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.ConfigNames;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run of a drill while it happens: runs its steps in order, times them, records each on the audit trail (kind
 * {@code OPERATOR}, the run's id as incident id, so {@code drpilot failover history} lists a drill as one block) and
 * keeps them for the report. After a step that did not pass, {@link #stopped()} says so and the drill runs no further
 * step that changes anything.
 */
final class DrillRun {
    private static final Logger LOG = LoggerFactory.getLogger(DrillRun.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** The body of a step: returns its value and the words the report shows, or throws why it did not pass. */
    interface Body<T> {
        Result<T> run() throws Exception;
    }

    record Result<T>(T value, String detail) {
    }

    private final String runId;
    private final DrillSettings.Drill drill;
    private final DrillAudit audit;
    private final Clock clock;
    private final Instant startedAt;
    private final List<DrillStep> steps = new ArrayList<>();
    private final List<String> auditGaps = new ArrayList<>();

    DrillRun(DrillSettings.Drill drill, DrillAudit audit, Clock clock) {
        this.drill = drill;
        this.audit = audit;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.runId = "drill-" + drill.name() + "-" + ID_TIME.format(startedAt);
    }

    String runId() {
        return runId;
    }

    Instant startedAt() {
        return startedAt;
    }

    DrillSettings.Drill drill() {
        return drill;
    }

    /**
     * Records the start. A drill that cannot be audited does not run: what it does to a cluster must be on record.
     *
     * @throws Exception the start record was not acknowledged
     */
    void start(String what) throws Exception {
        audit.write(record(runId + "/start", "start", ActionStatus.STARTED, startedAt, null, what, Map.of()));
    }

    boolean stopped() {
        return steps.stream().anyMatch(step -> step.status() == DrillStep.Status.FAILED || step.status() == DrillStep.Status.REFUSED);
    }

    /** Runs one step; its value when it passed. */
    <T> Optional<T> step(String name, Body<T> body) {
        Instant started = clock.instant();
        String actionId = runId + "/" + (steps.size() + 1) + "-" + name.replaceAll("[^A-Za-z0-9.-]+", "-");
        write(record(actionId, name, ActionStatus.STARTED, started, null, "", Map.of()));
        DrillStep step;
        T value = null;
        try {
            Result<T> result = body.run();
            value = result.value();
            step = new DrillStep(name, DrillStep.Status.PASSED, started, Duration.between(started, clock.instant()), result.detail(), Optional.empty());
        } catch (DrillStepException e) {
            step = new DrillStep(name, e.status(), started, Duration.between(started, clock.instant()), e.getMessage(), e.fix());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            step = new DrillStep(name, DrillStep.Status.FAILED, started, Duration.between(started, clock.instant()),
                    "interrupted (drpilot is stopping)", Optional.of("run the drill again"));
        } catch (Exception e) {
            step = new DrillStep(name, DrillStep.Status.FAILED, started, Duration.between(started, clock.instant()), e.toString(),
                    Optional.of("see the drill service's log for " + runId));
            LOG.warn("[drill={} run={}] step {} failed", drill.name(), runId, name, e);
        }
        steps.add(step);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("durationMillis", Long.toString(step.duration().toMillis()));
        step.fix().ifPresent(fix -> attributes.put("fix", fix));
        write(record(actionId, name, status(step.status()), started, clock.instant(), step.detail(), attributes));
        LOG.info("[drill={} run={}] {} {} in {} ms: {}", drill.name(), runId, name, step.status(), step.duration().toMillis(), step.detail());
        return step.status() == DrillStep.Status.PASSED ? Optional.ofNullable(value) : Optional.empty();
    }

    /** A step that was not run, with the reason (an earlier step did not pass, or the drill does not ask for it). */
    void skip(String name, String why) {
        Instant now = clock.instant();
        steps.add(new DrillStep(name, DrillStep.Status.SKIPPED, now, Duration.ZERO, why, Optional.empty()));
    }

    /** Ends the run: the report, and its summary on the audit trail. */
    DrillReport finish(Optional<Duration> rtoTarget, Optional<Duration> rpoTarget, Optional<Duration> rto, Optional<Duration> rpo,
                       Optional<DrillReport.Rows> rows) {
        Instant finished = clock.instant();
        DrillReport report = new DrillReport(runId, drill.name(), drill.kind(), drill.component(), drill.cluster(), startedAt, finished,
                DrillReport.outcomeOf(steps), rtoTarget, rpoTarget, rto, rpo, rows, steps);
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("outcome", report.outcome().name());
        rto.ifPresent(value -> figures.put("rtoMillis", Long.toString(value.toMillis())));
        rpo.ifPresent(value -> figures.put("rpoMillis", Long.toString(value.toMillis())));
        rows.ifPresent(value -> {
            figures.put("rowsAcknowledged", Long.toString(value.acknowledged()));
            figures.put("rowsLost", Long.toString(value.lost()));
        });
        if (!auditGaps.isEmpty()) {
            figures.put("auditGaps", String.join("; ", auditGaps));
        }
        ActionStatus status = switch (report.outcome()) {
            case PASSED -> ActionStatus.SUCCEEDED;
            case FAILED -> ActionStatus.FAILED;
            case REFUSED -> ActionStatus.REFUSED;
        };
        write(record(runId + "/summary", "summary", status, startedAt, finished, "drill " + drill.name() + " " + report.outcome()
                + (report.fixes().isEmpty() ? "" : ": " + String.join("; ", report.fixes())), figures));
        return report;
    }

    private void write(ActionRecord record) {
        try {
            audit.write(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            auditGaps.add(record.getActionId() + " not recorded (interrupted)");
        } catch (Exception e) {
            // The drill goes on (stopping half-way through a switchover is worse); the report and the log say what is missing.
            auditGaps.add(record.getActionId() + " not recorded: " + e.getMessage());
            LOG.warn("[drill={} run={}] {} could not be recorded on drpilot.actions", drill.name(), runId, record.getActionId(), e);
        }
    }

    private ActionRecord record(String actionId, String name, ActionStatus status, Instant started, Instant finished, String detail,
                                Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>(extra);
        attributes.put("drill", drill.name());
        attributes.put("drillKind", ConfigNames.of(drill.kind()));
        return ActionRecord.newBuilder().setActionId(actionId).setKind(ActionKind.OPERATOR).setName(name).setStatus(status)
                .setIncidentId(runId).setCluster(drill.cluster().orElse(null)).setStartedAt(started).setFinishedAt(finished)
                .setDetail(detail).setAttributes(attributes).build();
    }

    private static ActionStatus status(DrillStep.Status status) {
        return switch (status) {
            case PASSED -> ActionStatus.SUCCEEDED;
            case FAILED -> ActionStatus.FAILED;
            case REFUSED -> ActionStatus.REFUSED;
            case SKIPPED -> ActionStatus.SKIPPED;
        };
    }
}
