package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrillSettings;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DrillRunTest {
    private static final DrillSettings.Drill DRILL = new DrillSettings.Drill("monthly", DrillSettings.Kind.FAILOVER_DRY_RUN, Optional.empty(),
            Optional.of("orders"), "orders-db", Optional.empty(), Duration.ofMinutes(1));

    @Test
    void eachStepIsRecordedAsItStartsAndEndsUnderTheRunsIdAndTheSummaryCarriesTheOutcome() throws Exception {
        List<ActionRecord> recorded = new ArrayList<>();
        DrillRun run = new DrillRun(DRILL, recorded::add, Clock.fixed(Instant.parse("2026-12-01T03:00:00Z"), ZoneOffset.UTC));
        run.start("drill monthly started");
        run.step("admission", () -> new DrillRun.Result<>(null, "orders is not paused"));
        run.step("dry-run failover of orders", () -> {
            throw DrillStepException.failed("the runbook refused", "fix the check");
        });
        assertThat(run.stopped()).isTrue();
        DrillReport report = run.finish(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        assertThat(run.runId()).isEqualTo("drill-monthly-20261201T030000Z");
        assertThat(report.outcome()).isEqualTo(DrillReport.Outcome.FAILED);
        assertThat(report.fixes()).containsExactly("fix the check");
        assertThat(recorded).allSatisfy(record -> {
            assertThat(record.getKind()).isEqualTo(ActionKind.OPERATOR);
            assertThat(record.getIncidentId()).isEqualTo(run.runId());
            assertThat(record.getCluster()).isEqualTo("orders");
            assertThat(record.getAttributes()).containsEntry("drill", "monthly").containsEntry("drillKind", "failover-dry-run");
        }).extracting(ActionRecord::getActionId, ActionRecord::getStatus).containsExactly(
                tuple(run.runId() + "/start", ActionStatus.STARTED),
                tuple(run.runId() + "/1-admission", ActionStatus.STARTED),
                tuple(run.runId() + "/1-admission", ActionStatus.SUCCEEDED),
                tuple(run.runId() + "/2-dry-run-failover-of-orders", ActionStatus.STARTED),
                tuple(run.runId() + "/2-dry-run-failover-of-orders", ActionStatus.FAILED),
                tuple(run.runId() + "/summary", ActionStatus.FAILED));
        assertThat(recorded.get(recorded.size() - 1).getAttributes()).containsEntry("outcome", "FAILED");
    }

    @Test
    void aStepThatCannotBeRecordedStillRunsAndTheSummarySaysWhatIsMissing() {
        List<ActionRecord> recorded = new ArrayList<>();
        DrillRun run = new DrillRun(DRILL, record -> {
            if (record.getStatus() == ActionStatus.STARTED) {
                throw new IllegalStateException("broker gone");
            }
            recorded.add(record);
        }, Clock.systemUTC());
        assertThat(run.step("admission", () -> new DrillRun.Result<>("ok", "fine"))).contains("ok");
        run.finish(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(recorded.get(recorded.size() - 1).getAttributes().get("auditGaps")).contains("1-admission not recorded: broker gone");
    }
}
