package dev.drpilot.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Failsafe mode asks every replica's agent on its configured address with a shared token: each must be there to ask. */
class FailsafeConfigTest {
    private static final Map<String, String> ENV = Map.of("FAILSAFE_TOKEN", "t0ken", "OTHER_TOKEN", "other");
    private static final String AGENT = "{dataDir: /pg, bin: /pgbin, listenPort: 8084, failsafeToken: \"${FAILSAFE_TOKEN}\"}";

    private static String cluster(String firstAgent, String secondAgent) {
        return """
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    failover: {failsafe: true}
                    nodes:
                      - {name: pg-1, role: primary, host: db1.internal%s}
                      - {name: pg-2, host: db2.internal%s}
                """.formatted(firstAgent.isEmpty() ? "" : ", agent: " + firstAgent, secondAgent.isEmpty() ? "" : ", agent: " + secondAgent);
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
    void everyNodeWithAnAgentOnAFixedPortAndOneSharedTokenIsAccepted() {
        DrpilotConfig config = parse(cluster(AGENT, AGENT));
        assertThat(config.clusters().get("orders").failover().failsafe()).isTrue();
        AgentSettings agent = config.clusters().get("orders").node("pg-2").orElseThrow().agent().orElseThrow();
        assertThat(agent.failsafeToken().orElseThrow().reveal()).isEqualTo("t0ken");
        assertThat(ConfigPrinter.toYaml(config)).doesNotContain("t0ken");
    }

    @Test
    void aNodeWithoutAnAgentIsNamed() {
        assertThat(problemsOf(cluster(AGENT, "")))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[1].agent").contains("missing").contains("pg-2"));
    }

    @Test
    void anAgentOnAFreePortCannotBeAsked() {
        assertThat(problemsOf(cluster(AGENT, AGENT.replace("listenPort: 8084", "listenPort: 0"))))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[1].agent.listenPort").contains("fixed port"));
    }

    @Test
    void aMissingOrDifferentTokenIsNamed() {
        assertThat(problemsOf(cluster(AGENT, "{dataDir: /pg, bin: /pgbin}")))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[1].agent.failsafeToken").contains("missing"));
        assertThat(problemsOf(cluster(AGENT, AGENT.replace("FAILSAFE_TOKEN", "OTHER_TOKEN"))))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[1].agent.failsafeToken").contains("share one token"));
    }

    @Test
    void theLeaseMustLeaveTheFirstQuestionTimeBeforeTheFence() {
        assertThat(problemsOf(cluster(AGENT, AGENT.replace("listenPort: 8084", "listenPort: 8084, leaseTtl: 7s"))))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.nodes[1].agent.leaseTtl").contains("3 × renewInterval + stopBudget"));
    }

    @Test
    void aClusterWithoutReplicasCannotBeFailsafe() {
        String lonePrimary = """
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    failover: {failsafe: true}
                    nodes:
                      - {name: pg-1, role: primary, host: db1.internal, agent: %s}
                """.formatted(AGENT);
        assertThat(problemsOf(lonePrimary))
                .anySatisfy(p -> assertThat(p).contains("clusters.orders.failover.failsafe").contains("at least one replica"));
    }

    @Test
    void withoutFailsafeNoneOfThisIsRequired() {
        assertThat(parse(cluster(AGENT.replace("listenPort: 8084", "listenPort: 0"), "").replace("failsafe: true", "failsafe: false")).clusters().get("orders").node("pg-1")
                .orElseThrow().agent()).isPresent();
    }
}
