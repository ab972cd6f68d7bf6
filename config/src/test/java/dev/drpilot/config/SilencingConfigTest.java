package dev.drpilot.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.drpilot.config.ConfigValidationTest.problemsOf;
import static dev.drpilot.config.ConfigValidationTest.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SilencingConfigTest {
    private static final String PLANT = """
            components:
              - {name: orders-db, kind: database}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: 10.0.0.1, port: 5432}
                  - {name: pg-2, host: 10.0.0.2, port: 5433}
            """;

    private static Map<String, String> alert(String rule, String cluster) {
        return Map.of("rule", rule, "cluster", cluster, "component", "orders-db", "severity", "warning");
    }

    @Test
    void aMaintenanceWindowIsOpenFromEachCronRunForItsDuration() {
        DrpilotConfig config = valid(PLANT + """
                maintenance:
                  - name: sunday-upgrades
                    schedule: "0 2 * * 0"
                    duration: 2h
                    match: {cluster: orders, rule: [replication-lag, database-refuses]}
                    pauseFailover: orders
                """);
        MaintenanceWindow window = config.maintenance().get(0);
        assertThat(window.match().values()).containsEntry("rule", Set.of("replication-lag", "database-refuses"));
        // 2026-11-29 is a Sunday.
        assertThat(window.openUntil(Instant.parse("2026-11-29T01:59:59Z"))).isEmpty();
        assertThat(window.openUntil(Instant.parse("2026-11-29T02:00:00Z"))).contains(Instant.parse("2026-11-29T04:00:00Z"));
        assertThat(window.openUntil(Instant.parse("2026-11-29T03:59:59Z"))).contains(Instant.parse("2026-11-29T04:00:00Z"));
        assertThat(window.openUntil(Instant.parse("2026-11-29T04:00:00Z"))).as("closed at its end").isEmpty();
        assertThat(window.openUntil(Instant.parse("2026-11-30T03:00:00Z"))).as("a Monday").isEmpty();
        assertThat(config.maintenancePause("orders", Instant.parse("2026-11-29T03:00:00Z"))).contains(window);
        assertThat(config.maintenancePause("orders", Instant.parse("2026-11-29T05:00:00Z"))).isEmpty();
        assertThat(config.maintenancePause("billing", Instant.parse("2026-11-29T03:00:00Z"))).isEmpty();
        assertThat(window.match().matches(alert("replication-lag", "orders"))).isTrue();
        assertThat(window.match().matches(alert("backup-failed", "orders"))).isFalse();
        assertThat(ConfigPrinter.toYaml(config)).contains("sunday-upgrades", "0 2 * * 0", "duration: 2h", "pauseFailover: orders");
    }

    @Test
    void overlappingRunsKeepTheWindowOpenUntilTheLatestEnd() {
        MaintenanceWindow hourly = new MaintenanceWindow("w", Schedule.parse("0 * * * *"), Duration.ofMinutes(90), Matchers.none(),
                Optional.empty());
        assertThat(hourly.openUntil(Instant.parse("2026-11-29T10:45:00Z"))).contains(Instant.parse("2026-11-29T11:30:00Z"));
    }

    @Test
    void wrongWindowsAreReportedByKey() {
        assertThat(problemsOf(PLANT + """
                maintenance:
                  - {name: a, schedule: "every 6h", duration: 2h, match: {cluster: orders}}
                  - {name: b, schedule: "0 2 * * 0", match: {clustr: orders, rule: lag, severity: loud}, pauseFailover: billing}
                  - {name: c, schedule: "0 2 * * 0", duration: 0s}
                """)).contains(
                "maintenance[0].schedule: \"every 6h\": a maintenance window opens at cron times (e.g. \"0 2 * * 0\", Sundays 02:00 UTC), not \"every ...\"",
                "maintenance[1].duration: required: how long the window stays open (e.g. 2h)",
                "maintenance[1].match.clustr: \"clustr\" is not a label alerts carry (labels: rule, cluster, component, node, severity)",
                "maintenance[1].match.rule: no rule named \"lag\" (rules: " + String.join(", ", ConfigLoader.RULES) + ")",
                "maintenance[1].match.severity: \"loud\" is not one of info, warning, critical",
                "maintenance[1].pauseFailover: no cluster named \"billing\" (clusters: orders)",
                "maintenance[2].duration: 0s must be longer than 0s and at most 7d",
                "maintenance[2].match: a window silences some alerts (match) or pauses a failover (pauseFailover), or both");
    }

    @Test
    void primaryDownInhibitsItsClustersLagAndProbeAlertsByDefault() {
        List<InhibitRule> rules = valid(PLANT).inhibit();
        assertThat(rules).isEqualTo(InhibitRule.DEFAULTS);
        InhibitRule rule = rules.get(0);
        assertThat(rule.inhibits(alert("primary-down", "orders"), alert("replication-lag", "orders"))).isTrue();
        assertThat(rule.inhibits(alert("primary-down", "orders"), alert("database-refuses", "orders"))).isTrue();
        assertThat(rule.inhibits(alert("primary-down", "billing"), alert("replication-lag", "orders"))).as("another cluster").isFalse();
        assertThat(rule.inhibits(alert("primary-down", "orders"), alert("backup-failed", "orders"))).as("not a target").isFalse();
        assertThat(rule.inhibits(alert("replication-lag", "orders"), alert("replication-lag", "orders"))).as("not a source").isFalse();
    }

    @Test
    void inhibitionRulesAreConfigurableAndChecked() {
        DrpilotConfig config = valid(PLANT + """
                inhibit:
                  - source: {rule: split-brain}
                    target: {severity: [warning, info]}
                    equal: [cluster]
                """);
        assertThat(config.inhibit()).containsExactly(new InhibitRule(new Matchers(Map.of("rule", Set.of("split-brain"))),
                new Matchers(Map.of("severity", Set.of("warning", "info"))), List.of("cluster")));
        assertThat(valid(PLANT + "inhibit: []\n").inhibit()).as("turned off").isEmpty();
        assertThat(problemsOf(PLANT + """
                inhibit:
                  - {target: {rule: replication-lag}, equal: [clusters]}
                """)).contains("inhibit[0].source: required: the alerts that inhibit (e.g. {rule: primary-down})",
                "inhibit[0].equal[0]: \"clusters\" is not a label alerts carry (labels: rule, cluster, component, node, severity)");
    }

    @Test
    void silenceMatchersParseFromTheCommandLineAndNameWhatIsWrong() {
        Matchers matchers = Matchers.parse("rule=replication-lag,cluster=orders");
        assertThat(matchers.toString()).isEqualTo("rule=replication-lag,cluster=orders");
        assertThat(matchers.matches(alert("replication-lag", "orders"))).isTrue();
        assertThat(matchers.matches(alert("replication-lag", "billing"))).isFalse();
        assertThat(matchers.matches(Map.of("rule", "replication-lag"))).as("no cluster label").isFalse();
        assertThatThrownBy(() -> Matchers.parse("rule=replication-lag,cluster")).hasMessage(
                "\"cluster\" is not LABEL=VALUE (e.g. rule=replication-lag,cluster=orders)");
        assertThatThrownBy(() -> Matchers.parse("rule=lag")).hasMessageStartingWith("no rule named \"lag\"");
        assertThatThrownBy(() -> Matchers.parse("host=pg-1")).hasMessageStartingWith("\"host\" is not a label alerts carry");
        assertThatThrownBy(() -> Matchers.parse("cluster=a,cluster=b")).hasMessage("\"cluster\" is given twice");
        assertThatThrownBy(() -> Matchers.parse(" ")).hasMessageStartingWith("give at least one LABEL=VALUE");
    }
}
