package dev.drpilot.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static dev.drpilot.config.ConfigValidationTest.problemsOf;
import static dev.drpilot.config.ConfigValidationTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

class DrillConfigTest {
    private static final String PLANT = """
            components:
              - {name: orders-db, kind: database, rto: 15m, rpo: 5m}
              - {name: billing-db, kind: database}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: 10.0.0.1, port: 5432}
                  - {name: pg-2, host: 10.0.0.2, port: 5433}
            backups:
              - component: orders-db
                tool: pgbackrest
                stanza: main
                restoreCheck: {checks: [{name: orders, sql: "SELECT 1"}]}
              - {component: billing-db, tool: wal-g}
            """;

    @Test
    void eachKindOfDrillIsBoundWithItsDefaults() {
        DrillSettings drills = valid(PLANT + """
                drills:
                  reportDirectory: /var/lib/drpilot/drills
                  plans:
                    - {name: orders-switchover, kind: switchover, cluster: orders, schedule: "0 3 1 * *"}
                    - {name: orders-to-pg-2, kind: switchover, cluster: orders, to: pg-2, switchBack: false, maxLag: 2s,
                       checks: {table: ops.drill_rows, database: app, writeInterval: 20ms}, timeout: 2m}
                    - {name: orders-restore, kind: restore, component: orders-db, schedule: every 7d}
                    - {name: orders-dry-run, kind: failover-dry-run, cluster: orders}
                """).drills();

        assertThat(drills.reportDirectory()).isEqualTo(Path.of("/var/lib/drpilot/drills"));
        DrillSettings.Drill monthly = drills.plan("orders-switchover").orElseThrow();
        assertThat(monthly.kind()).isEqualTo(DrillSettings.Kind.SWITCHOVER);
        assertThat(monthly.component()).as("the cluster's").isEqualTo("orders-db");
        assertThat(monthly.schedule()).hasValueSatisfying(schedule -> assertThat(schedule.text()).isEqualTo("0 3 1 * *"));
        assertThat(monthly.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(monthly.switchover()).contains(new DrillSettings.Switchover(Optional.empty(), true, Duration.ofSeconds(10),
                Duration.ofMinutes(10), new DrillSettings.Probe("drpilot_drill_probe", Optional.empty(), Duration.ofMillis(50))));
        assertThat(drills.plan("orders-to-pg-2").orElseThrow().switchover()).contains(new DrillSettings.Switchover(Optional.of("pg-2"), false,
                Duration.ofSeconds(2), Duration.ofMinutes(10), new DrillSettings.Probe("ops.drill_rows", Optional.of("app"), Duration.ofMillis(20))));
        assertThat(drills.plan("orders-restore").orElseThrow()).satisfies(restore -> {
            assertThat(restore.kind()).isEqualTo(DrillSettings.Kind.RESTORE);
            assertThat(restore.component()).isEqualTo("orders-db");
            assertThat(restore.cluster()).isEmpty();
        });
        assertThat(drills.plan("orders-dry-run").orElseThrow().kind()).isEqualTo(DrillSettings.Kind.FAILOVER_DRY_RUN);
    }

    @Test
    void theEffectiveConfigurationShowsADrillAsItIsWritten() {
        String printed = ConfigPrinter.toYaml(valid(PLANT + """
                drills:
                  plans:
                    - {name: monthly, kind: switchover, cluster: orders, schedule: "0 3 1 * *", to: pg-2, checks: {table: drill_rows}}
                """));
        assertThat(printed).contains("kind: switchover", "schedule: 0 3 1 * *", "to: pg-2", "switchBack: true", "maxLag: 10s",
                "table: drill_rows", "writeInterval: 50ms").doesNotContain("switchover:", "probe:");
        assertThat(printed.substring(printed.indexOf("drills:"))).as("a switchover drill takes its cluster's component").doesNotContain("component:");
    }

    @Test
    void withoutADrillsSectionThereAreNoDrills() {
        assertThat(valid(PLANT).drills().plans()).isEmpty();
        assertThat(DrpilotConfig.defaults().drills().reportDirectory()).isEqualTo(Path.of("./var/drills"));
    }

    @Test
    void badDrillsAreRefusedNamingTheKey() {
        assertThat(problemsOf(PLANT + """
                drills:
                  plans:
                    - {name: a, kind: switchover, cluster: payments, schedule: "every tuesday"}
                    - {name: b, kind: switchover, cluster: orders, to: pg-9, checks: {table: "orders; DROP TABLE x"}}
                    - {name: c, kind: restore, component: billing-db, schedule: "61 3 * * *"}
                    - {name: d, kind: restore, component: ledger}
                    - {name: e, kind: failover-dry-run}
                    - {name: a, kind: chaos, cluster: orders}
                    - {name: "f/g", kind: switchover, cluster: orders, swichBack: true}
                """)).containsExactlyInAnyOrder(
                "drills.plans[0].schedule: \"every tuesday\": \"tuesday\" is not a duration (use 90s, 5m, 1h)",
                "drills.plans[0].cluster: no cluster named \"payments\" (known: orders)",
                "drills.plans[1].to: cluster orders has no node named \"pg-9\"",
                "drills.plans[1].checks.table: \"orders; DROP TABLE x\" is not a plain lower-case table name (schema.table allowed)",
                "drills.plans[2].schedule: \"61 3 * * *\": minute \"61\" is outside 0-59",
                "drills.plans[2].component: component billing-db has no backups[].restoreCheck: a restore drill runs that check",
                "drills.plans[3].component: no component named \"ledger\" (known: orders-db, billing-db)",
                "drills.plans[4].cluster: missing (required)",
                "drills.plans[5].name: \"a\" is used by another drill",
                "drills.plans[5].kind: \"chaos\" is not one of switchover, restore, failover-dry-run",
                "drills.plans[6].name: \"f/g\" may hold only letters, digits, '.', '_' and '-' (it names the report files)",
                "drills.plans[6].swichBack: unknown key (did you mean \"switchBack\"?)");
    }
}
