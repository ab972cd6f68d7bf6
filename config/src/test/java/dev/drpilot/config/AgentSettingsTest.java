package dev.drpilot.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A node's agent: its settings, their defaults, the checks that name the key, and whose evidence counts. */
class AgentSettingsTest {
    private static final Map<String, String> ENV = Map.of("AGENT_PG_PASSWORD", "s3cret");

    private static String cluster(String agent) {
        return """
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    nodes:
                      - {name: pg-1, role: primary, host: db1.internal, port: 5433%s}
                      - {name: pg-2, host: db2.internal}
                """.formatted(agent.isEmpty() ? "" : ", agent: " + agent);
    }

    private static DrpilotConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", ENV::get);
    }

    private static List<String> problemsOf(String yaml) {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(error).as("expected the configuration to be rejected").isNotNull();
        return error.problems();
    }

    @Test
    void aNodeWithoutAnAgentSectionHasNoAgent() {
        assertThat(parse(cluster("")).clusters().get("orders").node("pg-1").orElseThrow().agent()).isEmpty();
    }

    @Test
    void theDefaultsRenewEveryTwoSecondsOnATenSecondLeaseAndDemote() {
        AgentSettings agent = parse(cluster("{dataDir: /var/lib/postgresql/15/main, bin: /usr/lib/postgresql/15/bin}"))
                .clusters().get("orders").node("pg-1").orElseThrow().agent().orElseThrow();
        assertThat(agent.dataDir()).isEqualTo(Path.of("/var/lib/postgresql/15/main"));
        assertThat(agent.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/postgres");
        assertThat(agent.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(agent.renewInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(agent.fenceAfter()).isEqualTo(Duration.ofSeconds(8));
        assertThat(agent.fence()).isEqualTo(AgentSettings.FenceMethod.DEMOTE);
        assertThat(agent.deadMan()).isTrue();
        assertThat(agent.checkInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(agent.listenPort()).isEqualTo(8084);
        assertThat(agent.osUser()).isEmpty();
    }

    @Test
    void thePasswordIsASecretMaskedWhenPrinted() {
        DrpilotConfig config = parse(cluster("{dataDir: /pg, bin: /pgbin, password: \"${AGENT_PG_PASSWORD}\"}"));
        AgentSettings agent = config.clusters().get("orders").node("pg-1").orElseThrow().agent().orElseThrow();
        assertThat(agent.password().orElseThrow().reveal()).isEqualTo("s3cret");
        assertThat(ConfigPrinter.toYaml(config)).doesNotContain("s3cret").contains("leaseTtl");
    }

    @Test
    void everyProblemNamesItsKey() {
        assertThat(problemsOf(cluster("{bin: pgbin, leaseTtl: 3s, renewInterval: 2s, fence: reboot, colour: blue}")))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[0].agent.dataDir").contains("missing"))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[0].agent.bin").contains("absolute"))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[0].agent.leaseTtl").contains("2 × renewInterval + stopBudget"))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[0].agent.fence").contains("demote, stop"))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[0].agent.colour").contains("unknown key"));
    }

    @Test
    void aCollectorMayNotPassItselfOffAsAnAgent() {
        assertThat(problemsOf("collector: {id: \"agent:orders/pg-1\"}"))
                .anySatisfy(p -> assertThat(p).contains("collector.id").contains("node agents"));
    }

    @Test
    void onlyTheConfiguredAgentOfTheNodeItIsAboutCountsAsEvidence() {
        DrpilotConfig config = parse(cluster("{dataDir: /pg, bin: /pgbin}"));
        assertThat(config.countsAsAgentEvidence("agent:orders/pg-1", "orders", "pg-1")).isTrue();
        // pg-2 has no agent configured; an agent id about another node, or another cluster, is forged or misplaced.
        assertThat(config.countsAsAgentEvidence("agent:orders/pg-2", "orders", "pg-2")).isFalse();
        assertThat(config.countsAsAgentEvidence("agent:orders/pg-1", "orders", "pg-2")).isFalse();
        assertThat(config.countsAsAgentEvidence("agent:orders/pg-1", "payments", "pg-1")).isFalse();
        assertThat(config.countsAsAgentEvidence("collector-eu-1", "orders", "pg-1")).isFalse();
        // The generic vantage check never lets an agent id through: only the check above does.
        assertThat(config.ingestApi().countsAsVantage("agent:orders/pg-1")).isFalse();
        assertThat(config.ingestApi().countsAsVantage("collector-eu-1")).isTrue();
    }
}
