package dev.drpilot.failover;

import dev.drpilot.config.MaintenanceWindow;
import dev.drpilot.config.Matchers;
import dev.drpilot.config.Schedule;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.failover.FailoverGate.Decision;
import dev.drpilot.failover.FailoverGate.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** An open maintenance window with pauseFailover pauses its cluster as {@code drpilot failover pause} does, and only while open. */
class MaintenancePauseTest {
    // Tuesdays 02:00 UTC for 2 hours; 2026-11-24 is a Tuesday.
    private static final List<MaintenanceWindow> WINDOWS = List.of(new MaintenanceWindow("tuesday-storage", Schedule.parse("0 2 * * 2"),
            Duration.ofHours(2), Matchers.none(), Optional.of("orders")));

    @Test
    void anOpenWindowPausesItsClusterOnly() {
        Instant now = Instant.parse("2026-11-24T03:00:00Z");
        Optional<ActionRecord> pause = RunbookExecutor.maintenancePause(WINDOWS, "orders", now);
        assertThat(pause).hasValueSatisfying(record -> {
            assertThat(record.getDetail()).isEqualTo("failover of orders paused by maintenance window tuesday-storage (open until 2026-11-24T04:00:00Z)");
            assertThat(record.getStartedAt()).isEqualTo(Instant.parse("2026-11-24T02:00:00Z"));
        });
        assertThat(RunbookExecutor.maintenancePause(WINDOWS, "billing", now)).isEmpty();
        assertThat(RunbookExecutor.maintenancePause(WINDOWS, "orders", Instant.parse("2026-11-24T04:00:00Z"))).as("closed").isEmpty();
    }

    @Test
    void theGateRefusesAnAutomaticFailoverDuringTheWindowAndSaysWhenItEnds() {
        FailoverGateTest.Given given = FailoverGateTest.given()
                .pausedBy(RunbookExecutor.maintenancePause(WINDOWS, "orders", Instant.parse("2026-11-24T03:00:00Z")));
        assertThat(FailoverGate.decide(given.admission())).isEqualTo(new Decision(Verdict.REFUSE,
                "paused: failover of orders paused by maintenance window tuesday-storage (open until 2026-11-24T04:00:00Z)"
                        + " at 2026-11-24T02:00:00Z (it ends with the window; the configuration's maintenance list)"));
    }
}
