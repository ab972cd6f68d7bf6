package dev.drpilot.recovery.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.config.DrillSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DrillReportFormatTest {
    private static final Instant START = Instant.parse("2026-12-01T03:00:00Z");

    private static final DrillReport FAILED = new DrillReport("drill-monthly-20261201T030000Z", "monthly", DrillSettings.Kind.SWITCHOVER,
            "orders-db", Optional.of("orders"), START, START.plusSeconds(42), DrillReport.Outcome.FAILED,
            Optional.of(Duration.ofMinutes(15)), Optional.of(Duration.ofMinutes(5)), Optional.of(Duration.ofMillis(1234)),
            Optional.of(Duration.ofMillis(300)), Optional.of(new DrillReport.Rows(500, 3)), List.of(
            new DrillStep("admission", DrillStep.Status.PASSED, START, Duration.ofMillis(80), "orders is not paused", Optional.empty()),
            new DrillStep("acknowledged rows", DrillStep.Status.FAILED, START.plusSeconds(40), Duration.ofMillis(15),
                    "3 of 500 acknowledged rows are missing | on pg-1", Optional.of("check synchronous_commit"))));

    @Test
    void jsonCarriesTheFiguresInMillisecondsAndTheStepsWithWhatToFix() throws Exception {
        JsonNode json = new ObjectMapper().readTree(DrillReportFormat.json(FAILED));
        assertThat(json.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(json.get("kind").asText()).isEqualTo("switchover");
        assertThat(json.get("rtoMillis").asLong()).isEqualTo(1234);
        assertThat(json.get("rtoTargetMillis").asLong()).isEqualTo(900_000);
        assertThat(json.get("rpoMillis").asLong()).isEqualTo(300);
        assertThat(json.get("rows").get("lost").asLong()).isEqualTo(3);
        assertThat(json.get("steps").get(1).get("status").asText()).isEqualTo("FAILED");
        assertThat(json.get("steps").get(1).get("durationMillis").asLong()).isEqualTo(15);
        assertThat(json.get("steps").get(0).get("fix").isNull()).isTrue();
        assertThat(json.get("fixes").get(0).asText()).isEqualTo("check synchronous_commit");
    }

    @Test
    void markdownPutsTheFiguresBesideTheTargetsAndKeepsEachStepOnOneRow() {
        String markdown = DrillReportFormat.markdown(FAILED);
        assertThat(markdown).startsWith("# Drill monthly: FAILED\n")
                .contains("| RTO | 1.234 s | 15m | met |", "| RPO | 0.300 s | 5m | met |", "| acknowledged rows lost | 3 of 500 | 0 | **missed** |",
                        "| 2 | acknowledged rows | **FAILED** | 0.015 s | 3 of 500 acknowledged rows are missing \\| on pg-1 |",
                        "## What to fix\n\n- check synchronous_commit\n");
    }

    @Test
    void aRefusedStepRefusesTheDrillAndAFailedOneFailsIt() {
        DrillStep passed = new DrillStep("a", DrillStep.Status.PASSED, START, Duration.ZERO, "", Optional.empty());
        DrillStep skipped = new DrillStep("b", DrillStep.Status.SKIPPED, START, Duration.ZERO, "", Optional.empty());
        DrillStep failed = new DrillStep("c", DrillStep.Status.FAILED, START, Duration.ZERO, "", Optional.empty());
        DrillStep refused = new DrillStep("d", DrillStep.Status.REFUSED, START, Duration.ZERO, "", Optional.empty());
        assertThat(DrillReport.outcomeOf(List.of(passed, skipped))).isEqualTo(DrillReport.Outcome.PASSED);
        assertThat(DrillReport.outcomeOf(List.of(passed, failed))).isEqualTo(DrillReport.Outcome.FAILED);
        assertThat(DrillReport.outcomeOf(List.of(refused, skipped))).isEqualTo(DrillReport.Outcome.REFUSED);
    }
}
