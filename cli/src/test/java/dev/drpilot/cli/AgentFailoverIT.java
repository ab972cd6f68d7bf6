package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.cli.drill.DrillAgents;
import dev.drpilot.cli.drill.FailoverDrill;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.Source;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.TestNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline on real PostgreSQL with {@code drpilot agent} beside every node (the agents' defaults: a check every
 * 500 ms): a primary frozen for 2.5 s, which its agent sees as not answering, is not failed over; then its postmaster is
 * killed with the agent alive, the agent's {@code down} and the first remote vantage that sees it gone confirm it at
 * once, and a replica takes writes — the agent's word named in the incident's command.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class AgentFailoverIT {
    private static final Logger log = LoggerFactory.getLogger(AgentFailoverIT.class);

    @Test
    void aFrozenPrimaryIsLeftAloneAndAKilledOneIsFailedOverOnItsAgentsWord(EmbeddedKafkaBroker broker) throws Exception {
        String name = TestNames.unique("agentkill");
        try (PostgresCluster pg = PostgresCluster.start(name, 2)) {
            String primary = pg.primary().name();
            DrpilotConfig config = ConfigLoader.parse(FailoverDrill.yaml(name, pg, "{mode: auto}", "", true), "agent drill", env -> null);
            try (FailoverDrill drill = new FailoverDrill(broker, pg, name, config, Optional.empty());
                 DrillAgents agents = DrillAgents.start(broker, pg, name, config, null, Optional.empty())) {
                // A blip: SIGSTOP for less than the 3 s the rule tolerates. The agent says not-answering, remote probes time out.
                drill.freezePrimaryFor(Duration.ofMillis(2500));
                await("nothing fails over after the blip").during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(7))
                        .until(() -> drill.commands().isEmpty());

                FailoverDrill.Result result = drill.killPrimary(Duration.ofSeconds(60));

                assertThat(result.summary().getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
                assertThat(result.newPrimary()).isNotEqualTo(primary);
                FailoverCommand command = result.command();
                assertThat(command.getFailedNode()).isEqualTo(primary);
                assertThat(command.getEvidence()).extracting(Source::getVantage).contains("agent:" + primary);
                assertThat(command.getEvidence()).extracting(Source::getCollectorId).contains("agent:" + name + "/" + primary);
                assertThat(command.getReason()).contains("agent:" + primary + ": agent verdict down")
                        .contains("its agent on the host sees no postmaster");
                assertThat(drill.commands()).as("one command for the one incident").hasSize(1);
                log.info("AGENT FAILOVER: kill -> command {} ms, kill -> writable {} ms (recorded recovery time {} ms); evidence {}",
                        result.toCommand().toMillis(), result.toWritable().toMillis(),
                        result.summary().getAttributes().get("rtoMillis"), command.getEvidence());
            }
        }
    }
}
