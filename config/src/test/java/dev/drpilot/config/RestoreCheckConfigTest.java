package dev.drpilot.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static dev.drpilot.config.ConfigValidationTest.problemsOf;
import static dev.drpilot.config.ConfigValidationTest.valid;
import static org.assertj.core.api.Assertions.assertThat;

class RestoreCheckConfigTest {
    private static final String CLUSTER = """
            components:
              - {name: orders-db, kind: database, rto: 1h, rpo: 15m}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: 10.0.0.1, port: 5432}
                  - {name: pg-2, host: 10.0.0.2, port: 5433}
            """;

    @Test
    void aRestoreCheckIsBoundWithItsDefaults() {
        RestoreCheckSettings check = valid(CLUSTER + """
                backups:
                  - component: orders-db
                    tool: pgbackrest
                    stanza: main
                    restoreCheck:
                      schedule: "0 3 * * 0"
                      checks:
                        - {name: orders, sql: "SELECT count(*) FROM orders", expect: "1042"}
                        - {name: audit-present, sql: "SELECT 1 FROM audit LIMIT 1"}
                """).backups().get(0).restoreCheck().orElseThrow();

        assertThat(check.scratchDirectory()).isEqualTo(Path.of("/var/lib/drpilot/restore/orders-db"));
        assertThat(check.port()).isEqualTo(55432);
        assertThat(check.target()).isEqualTo(RestoreCheckSettings.Target.NOW_MINUS_RPO);
        assertThat(check.maxAge()).as("twice the weekly schedule").isEqualTo(Duration.ofDays(14));
        assertThat(check.osUser()).isEqualTo("postgres");
        assertThat(check.checks()).containsExactly(
                new RestoreCheckSettings.Check("orders", "postgres", "SELECT count(*) FROM orders", Optional.of("1042")),
                new RestoreCheckSettings.Check("audit-present", "postgres", "SELECT 1 FROM audit LIMIT 1", Optional.empty()));
    }

    @Test
    void badRestoreChecksAreRefusedNamingTheKey() {
        assertThat(problemsOf(CLUSTER + """
                backups:
                  - component: orders-db
                    tool: pgbackrest
                    stanza: main
                    restoreCheck: {schedule: "every tuesday", scratchDirectory: restore/here, port: 5433, target: yesterday, osUser: root}
                  - component: orders-db
                    restoreCheck: {schedule: "61 3 * * *", checks: [{name: x}]}
                  - component: billing-db
                    tool: wal-g
                    restoreCheck: {schedule: "0 3 31 2 *", scratchDirectory: /var/lib/drpilot/restore/orders-db}
                """)).containsExactlyInAnyOrder(
                "backups[0].restoreCheck.schedule: \"every tuesday\": \"tuesday\" is not a duration (use 90s, 5m, 1h)",
                "backups[0].restoreCheck.scratchDirectory: \"restore/here\" is not an absolute path",
                "backups[0].restoreCheck.target: \"yesterday\" is not one of now-minus-rpo, latest",
                "backups[0].restoreCheck.osUser: PostgreSQL refuses to run as root; use the postgres user",
                "backups[0].restoreCheck.port: 5433 is the port of clusters.orders node pg-2: a restore check never starts on a configured node's port",
                "backups[1].tool: missing (required)",
                "backups[1].restoreCheck.schedule: \"61 3 * * *\": minute \"61\" is outside 0-59",
                "backups[1].restoreCheck.checks[0].sql: missing (required)",
                "backups[1].restoreCheck: a restore check restores with the backup tool: set tool to wal-g or pgbackrest",
                "backups[2].restoreCheck.schedule: \"0 3 31 2 *\" never runs",
                "backups[2].component: no component named \"billing-db\" (known: orders-db)",
                "backups[2].restoreCheck.scratchDirectory: /var/lib/drpilot/restore/orders-db is also backups[1].restoreCheck.scratchDirectory: each check needs its own");
    }

    @Test
    void theEffectiveConfigurationShowsTheScheduleAsWrittenAndHidesTheEnvironment() {
        String printed = ConfigPrinter.toYaml(valid(CLUSTER + """
                backups:
                  - component: orders-db
                    tool: wal-g
                    restoreCheck: {schedule: "30 2 * * 1-5", environment: {AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI}}
                """));

        assertThat(printed).contains("schedule: 30 2 * * 1-5").contains("AWS_SECRET_ACCESS_KEY").contains("****").doesNotContain("wJalrXUtnFEMI");
    }
}
