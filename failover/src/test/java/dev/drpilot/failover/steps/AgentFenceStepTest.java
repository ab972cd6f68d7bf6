package dev.drpilot.failover.steps;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code fence agent} does before any agent is asked: a node without one is left to the other fence steps. */
class AgentFenceStepTest {
    private static final ClusterConfig ORDERS = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1}
                  - {name: pg-2, host: pg-2, agent: {dataDir: /var/lib/postgresql/15/main, bin: /usr/lib/postgresql/15/bin}}
            """, "test", name -> null).clusters().get("orders");

    private static FailoverContext replacing(String node) {
        return new FailoverContext("inc-7", ORDERS, ORDERS.node(node), Instant.parse("2026-11-24T03:00:00Z"), false);
    }

    @Test
    void aNodeWithoutAnAgentIsLeftToTheOtherFenceStepsAndNothingIsRecorded() throws Exception {
        AgentFenceStep step = new AgentFenceStep(Optional.empty(), Duration.ofSeconds(5));

        StepOutcome outcome = step.run(replacing("pg-1"), Duration.ofSeconds(10));

        assertThat(outcome.attributes()).doesNotContainKey("fenced");
        assertThat(outcome.detail()).isEqualTo("pg-1 has no node agent: nothing fenced here (the other fence steps and the promotion decide)");
        assertThat(step.plan(replacing("pg-1"))).isEqualTo("pg-1 has no node agent: nothing to ask");
    }

    @Test
    void aNodeWithAnAgentButNoWayToReachItFailsTheStep() {
        AgentFenceStep step = new AgentFenceStep(Optional.empty(), Duration.ofSeconds(5));

        assertThat(step.plan(replacing("pg-2"))).isEqualTo("ask the agent of pg-2 to stop its PostgreSQL and wait up to 5000 ms for its"
                + " confirmation");
        assertThatThrownBy(() -> step.run(replacing("pg-2"), Duration.ofSeconds(10))).isInstanceOf(StepFailedException.class)
                .hasMessageContaining("without access to the node agents' topics");
    }

    @Test
    void withoutAFailedPrimaryThereIsNothingToFence() {
        FailoverContext switchoverBeforeTheCheck = new FailoverContext("inc-8", ORDERS, Optional.empty(), Instant.EPOCH, false);

        assertThat(new AgentFenceStep(Optional.empty(), Duration.ofSeconds(5)).alreadyDone(switchoverBeforeTheCheck)).isTrue();
    }
}
