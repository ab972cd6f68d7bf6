package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.drpilot.detector.RuleDriver.at;
import static dev.drpilot.detector.RuleDriver.postgres;
import static dev.drpilot.detector.RuleDriver.replica;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The primary-down rule with the primary's own agent beside the remote vantages, fed what each would publish: a
 * postmaster killed on a live host is confirmed by the agent and one remote vantage at once; a postmaster frozen for
 * less than the blip tolerance fails nothing over; an agent that sees its server answer holds a quorum of remote
 * failures back until it falls silent; and only the node's own configured agent counts.
 */
class AgentEvidenceTest {
    private static final String CONFIG = """
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1, agent: {dataDir: /var/lib/postgresql/15/main, bin: /usr/lib/postgresql/15/bin}}
                  - {name: pg-2, host: pg-2}
                failover: {mode: auto, quorum: 2, holdProbes: 3}
            """;

    private RuleDriver driver;

    @BeforeEach
    void start(TestInfo test) {
        // A driver per test, on the configuration the test names (a TopologyTestDriver takes seconds to build).
        String config = test.getTags().contains("two-agents") ? CONFIG.replace("- {name: pg-2, host: pg-2}",
                "- {name: pg-2, host: pg-2, agent: {dataDir: /var/lib/postgresql/15/main, bin: /usr/lib/postgresql/15/bin}}")
                : test.getTags().contains("no-agent") ? CONFIG.replaceAll(", agent: \\{[^}]*}", "") : CONFIG;
        driver = new RuleDriver(config);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void probe(double second, String vantage, NodeRole role) {
        driver.health("orders", postgres(second, vantage, "orders-db", "orders", "pg-1", role));
    }

    private void walReceiver(double second, String status) {
        driver.replication("orders", replica(second, "eu-1", "orders-db", "orders", "pg-2", status, 0.0));
    }

    /** What pg-1's agent publishes when its verdict changes (and every 5 s while it does not). */
    private void agent(double second, String verdict, String postmaster) {
        driver.health("orders", agentSays("agent:orders/pg-1", "pg-1", second, verdict, postmaster));
    }

    static HealthObservation agentSays(String collectorId, String node, double second, String verdict, String postmaster) {
        boolean up = verdict.equals("up");
        Map<String, String> details = new LinkedHashMap<>();
        details.put("agentVerdict", verdict);
        details.put("postmaster", postmaster);
        return HealthObservation.newBuilder()
                .setObservedAt(at(second))
                .setSource(Source.newBuilder().setCollectorId(collectorId).setVantage("agent:" + node).build())
                .setProbe("agent").setKind(ProbeKind.POSTGRES).setComponent("orders-db").setCluster("orders").setNode(node)
                .setTarget("127.0.0.1:5432").setOk(up).setAnswered(up || verdict.equals("answered-with-error"))
                .setRole(up ? NodeRole.PRIMARY : NodeRole.UNKNOWN).setLatencyMillis(up ? 1L : null)
                .setError(up ? null : verdict).setDetails(details)
                .build();
    }

    private List<Alert> rule(String name) {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals(name)).toList();
    }

    private void healthyUntil(double second) {
        agent(0, "up", "running");
        for (double s = 0; s <= second; s += 2) {
            probe(s, "eu-1", NodeRole.PRIMARY);
            probe(s + 0.5, "us-1", NodeRole.PRIMARY);
            walReceiver(s + 1, "streaming");
        }
    }

    @Test
    void aKilledPostmasterIsConfirmedByItsAgentAndOneRemoteVantageAtOnce() {
        healthyUntil(10);
        agent(11.3, "down", "gone");                // kill -9 at 11.1: the agent sees no postmaster 200 ms later
        assertThat(driver.commands()).as("the agent alone confirms nothing").isEmpty();
        probe(12, "eu-1", null);                    // the first remote probe after the kill: connection refused

        List<FailoverCommand> commands = driver.commands();
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getFailedNode()).isEqualTo("pg-1");
            assertThat(command.getDetectedAt()).as("the RTO clock starts at the agent's word").isEqualTo(at(11.3));
            assertThat(command.getEvidence()).extracting(Source::getVantage, Source::getCollectorId)
                    .containsExactlyInAnyOrder(tuple("agent:pg-1", "agent:orders/pg-1"),
                            tuple("eu-1", "collector-eu-1"));
            assertThat(command.getReason()).contains("agent:pg-1: agent verdict down (postmaster gone)")
                    .contains("its agent on the host sees no postmaster");
        });
        assertThat(rule("primary-down")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getAnnotations().get("description")).contains("agent:pg-1: agent verdict down (postmaster gone)");
        });
    }

    @Test
    void aPostmasterFrozenForLessThanTheBlipToleranceFailsNothingOver() {
        // SIGSTOP at 10.1 for 2.8 s: the agent says not-answering, the remote probes time out, the replica keeps streaming
        // (its receiver waits wal_receiver_timeout); SIGCONT at 12.9 and all answer again.
        healthyUntil(10);
        agent(10.6, "not-answering", "stopped");
        probe(12, "eu-1", null);
        probe(12.5, "us-1", null);
        walReceiver(12.6, "streaming");
        agent(13.1, "up", "running");
        probe(14, "eu-1", NodeRole.PRIMARY);
        probe(14.5, "us-1", NodeRole.PRIMARY);
        for (double s = 16; s <= 40; s += 2) {
            probe(s, "eu-1", NodeRole.PRIMARY);
            probe(s + 0.5, "us-1", NodeRole.PRIMARY);
        }
        assertThat(driver.commands()).isEmpty();
        assertThat(rule("primary-down")).isEmpty();
        assertThat(rule("primary-unconfirmed")).isEmpty();
    }

    @Test
    void aPostmasterThatStaysFrozenIsOneFailedVantageOnceTheToleranceHasPassed() {
        healthyUntil(10);
        agent(10.6, "not-answering", "stopped");
        probe(12, "eu-1", null);
        probe(14, "eu-1", null);
        assertThat(driver.commands()).isEmpty();
        probe(16, "eu-1", null);                    // eu-1 held for 3 probes; the agent has not answered for 5.4 s

        assertThat(driver.commands()).singleElement().satisfies(command -> {
            assertThat(command.getEvidence()).extracting(Source::getVantage).containsExactlyInAnyOrder("agent:pg-1", "eu-1");
            assertThat(command.getReason()).contains("agent:pg-1: agent verdict not-answering (postmaster stopped)")
                    .doesNotContain("sees no postmaster");
        });
    }

    @Test
    void anAgentThatSeesItsServerAnswerHoldsRemoteFailuresBackUntilItFallsSilent() {
        healthyUntil(10);
        agent(10, "up", "running");
        for (double s = 12; s <= 14; s += 2) {      // both remote vantages lose the host; the agent still reaches Kafka
            probe(s, "eu-1", null);
            probe(s + 0.5, "us-1", null);
        }
        agent(15, "up", "running");                 // its periodic word, 5 s after the last
        probe(16, "eu-1", null);
        probe(16.5, "us-1", null);
        probe(18, "eu-1", null);
        probe(18.5, "us-1", null);
        assertThat(driver.commands()).as("a partition between the probes and the host is not a crash").isEmpty();
        assertThat(rule("primary-unconfirmed")).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getAnnotations().get("description")).contains("its agent on the host says it answers")
                    .contains("agent:pg-1: agent verdict up");
        });

        // The agent falls silent (cut off from Kafka, or gone with its host): its last word lapses 6 s later.
        probe(20, "eu-1", null);
        probe(20.5, "us-1", null);
        assertThat(driver.commands()).isEmpty();
        probe(22, "eu-1", null);
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getEvidence())
                .extracting(Source::getVantage).containsExactlyInAnyOrder("eu-1", "us-1"));
    }

    @Test
    void anAgentWhoseServerAnswersInRecoveryVouchesForNoPrimary() {
        healthyUntil(10);
        // Its agent demoted it (fence: demote): the server answers its agent, in recovery, and the probes see the same.
        for (double s = 12; s <= 16; s += 2) {
            driver.health("orders", inRecovery(agentSays("agent:orders/pg-1", "pg-1", s, "up", "running")));
            probe(s, "eu-1", NodeRole.REPLICA);
            probe(s + 0.5, "us-1", NodeRole.REPLICA);
        }
        assertThat(rule("primary-unconfirmed")).as("no hold-back: a server in recovery is no primary's answer").isEmpty();
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getFailedNode()).isEqualTo("pg-1"));
    }

    private static HealthObservation inRecovery(HealthObservation observation) {
        return HealthObservation.newBuilder(observation).setRole(NodeRole.REPLICA).build();
    }

    @Test
    void onlyTheNodesOwnConfiguredAgentCounts() {
        healthyUntil(10);
        // Forged or misdirected "agent:" ids saying pg-1 is gone: the agent of another node, of another cluster, a
        // made-up one, and pg-2's (which has no agent configured) — none may confirm with one failed probe.
        driver.health("orders", agentSays("agent:orders/pg-2", "pg-1", 11.3, "down", "gone"));
        driver.health("orders", agentSays("agent:billing/pg-1", "pg-1", 11.3, "down", "gone"));
        driver.health("orders", agentSays("agent:pg-1", "pg-1", 11.3, "down", "gone"));
        driver.health("orders", agentSays("agent:orders/pg-2", "pg-2", 11.3, "down", "gone"));
        probe(12, "eu-1", null);
        assertThat(driver.commands()).isEmpty();

        // pg-1's own agent, the same words: certain.
        agent(12.2, "down", "gone");
        probe(12.5, "us-1", null);
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getEvidence())
                .extracting(Source::getVantage).contains("agent:pg-1"));
    }

    @Test
    @Tag("no-agent")
    void aNodeWithoutAnAgentSectionHasNoAgentEvidence() {
        agent(0, "up", "running");
        for (double s = 0; s <= 4; s += 2) {
            probe(s, "eu-1", NodeRole.PRIMARY);
        }
        agent(5.3, "down", "gone");
        probe(6, "eu-1", null);
        probe(6.5, "us-1", null);
        assertThat(driver.commands()).isEmpty();
    }

    @Test
    @Tag("two-agents")
    void anAgentsWordAboutANodeThatIsNotThePrimaryChangesNothing() {
        // pg-2's agent says its node is a writable primary: who is primary is the remote vantages' to say.
        driver.health("orders", HealthObservation.newBuilder(agentSays("agent:orders/pg-2", "pg-2", 1, "up", "running"))
                .setRole(NodeRole.PRIMARY).build());
        agent(1.2, "down", "gone");
        probe(2, "eu-1", null);
        assertThat(driver.commands()).singleElement().satisfies(command -> assertThat(command.getFailedNode()).isEqualTo("pg-1"));
    }
}
