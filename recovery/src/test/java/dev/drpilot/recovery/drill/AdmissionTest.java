package dev.drpilot.recovery.drill;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.recovery.HandClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scheduled drill's admission on a clock the test moves by hand: a maintenance window that pauses the cluster's failover
 * holds the drill (refused, with the window and when it closes) just as the operators' pause does; once the window has
 * closed, the next run is admitted.
 */
class AdmissionTest {
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}, {name: billing-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
              billing:
                component: billing-db
                nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
            maintenance:
              - {name: orders-patching, schedule: "0 2 * * *", duration: 2h, pauseFailover: orders}
            """, "test", name -> null);
    private static final DrillSettings.Drill ORDERS = drill("orders");
    private static final DrillSettings.Drill BILLING = drill("billing");

    private final HandClock clock = new HandClock("2026-12-02T02:30:00Z");
    private final List<ActionRecord> recorded = new ArrayList<>();
    private Optional<String> operatorsPause = Optional.empty();
    // incidentsMatter=false below: the audit trail is not read, so no actuator link is needed.
    private final Admission admission = new Admission(CONFIG, null, new OperatorChannel() {
        @Override
        public Optional<String> pause(String cluster) {
            return operatorsPause;
        }

        @Override
        public void order(String incidentId, String cluster, String detail) {
            throw new AssertionError("an admission gives no orders");
        }
    });

    @Test
    void aMaintenanceWindowThatPausesTheClustersFailoverHoldsItsDrillUntilItCloses() throws Exception {
        DrillRun inWindow = admit(ORDERS);

        assertThat(inWindow.stopped()).as("refused inside the window").isTrue();
        assertThat(recorded).last().satisfies(record -> {
            assertThat(record.getStatus()).isEqualTo(ActionStatus.REFUSED);
            assertThat(record.getDetail()).contains("failover of orders is paused by maintenance window orders-patching until 2026-12-02T04:00:00Z");
        });

        clock.move(Duration.ofMinutes(89));   // 03:59, still inside
        assertThat(admit(ORDERS).stopped()).isTrue();

        clock.move(Duration.ofMinutes(1));    // 04:00, closed
        DrillRun after = admit(ORDERS);
        assertThat(after.stopped()).as("admitted once the window closed").isFalse();
        assertThat(recorded).last().satisfies(record -> {
            assertThat(record.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(record.getDetail()).contains("orders is not paused (no operator's pause, no maintenance window)");
        });

        clock.move(Duration.ofHours(22));     // 02:00 the next day: the window's next opening
        assertThat(admit(ORDERS).stopped()).isTrue();
    }

    @Test
    void theWindowHoldsOnlyTheClusterItPausesAndTheOperatorsPauseStillHoldsOutsideIt() throws Exception {
        assertThat(admit(BILLING).stopped()).as("billing is not in orders' window").isFalse();

        clock.move(Duration.ofHours(2));      // 04:30, the window closed
        operatorsPause = Optional.of("paused by alice: disk swap");
        assertThat(admit(ORDERS).stopped()).isTrue();
        assertThat(recorded).last().satisfies(record -> assertThat(record.getDetail()).contains("failover of orders is paused: paused by alice"));
    }

    /** One run of the drill's admission step at the clock's time, as the drill runs it. */
    private DrillRun admit(DrillSettings.Drill drill) throws Exception {
        DrillRun run = new DrillRun(drill, recorded::add, clock);
        run.start("drill " + drill.name() + " started");
        run.step("admission", () -> admission.check(run, drill.cluster().orElseThrow(), clock.instant(), false));
        return run;
    }

    private static DrillSettings.Drill drill(String cluster) {
        return new DrillSettings.Drill(cluster + "-monthly", DrillSettings.Kind.FAILOVER_DRY_RUN, Optional.empty(), Optional.of(cluster),
                cluster + "-db", Optional.empty(), Duration.ofMinutes(1));
    }
}
