package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.cli.drill.FailoverDrill;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.Severity;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Collectors → detectors → actuator on real PostgreSQL, after a failover: the old primary, killed (not fenced: nothing
 * could reach it), is started again as it was and comes back as a writable primary beside the new one. The split-brain
 * rule pages (CRITICAL, for that node) and asks the actuator to fence it; the actuator demotes it; the new primary is left
 * alone.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class SplitBrainFenceIT {

    @Test
    void anOldPrimaryStartedAgainAsItWasIsFencedOnSightAndPages(EmbeddedKafkaBroker broker) throws Exception {
        String name = TestNames.unique("sightfence");
        try (PostgresCluster pg = PostgresCluster.start(name, 1);
             FailoverDrill drill = new FailoverDrill(broker, pg, name, "")) {
            PostgresNode old = pg.primary();
            PostgresNode current = pg.replica(0);
            FailoverDrill.Result result = drill.killPrimary(Duration.ofSeconds(60));
            assertThat(result.newPrimary()).isEqualTo(current.name());
            Instant restarted = Instant.now();

            old.start();   // crash recovery, then a writable primary: a split brain
            await(old.name() + " fenced on sight").atMost(Duration.ofSeconds(60)).until(() -> !old.isRunning());

            await("the split-brain page for " + old.name()).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<ConsumerRecord<String, Alert>> alerts = KafkaTestClients.read(broker, Topics.ALERTS.name(), 10_000,
                        Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(2));
                assertThat(alerts).extracting(ConsumerRecord::value)
                        .filteredOn(alert -> alert.getFingerprint().equals("split-brain/cluster=" + name + "/component=" + name + "-db/node=" + old.name()))
                        .first().satisfies(alert -> {
                            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
                            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
                            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Split brain in " + name + ": " + old.name()
                                    + ", replaced by failover " + result.summary().getIncidentId() + ", takes writes again");
                        });
            });
            List<ConsumerRecord<String, FailoverCommand>> commands = KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 1_000,
                    Topics.FAILOVER_COMMANDS.keySerde().deserializer(), Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofSeconds(2));
            assertThat(commands).extracting(ConsumerRecord::value).filteredOn(command -> command.getMode() == FailoverMode.FENCE
                    && name.equals(command.getCluster())).isNotEmpty()
                    .allSatisfy(command -> assertThat(command.getFailedNode()).isEqualTo(old.name()));
            ActionRecord fenced = drill.audit().read(restarted.minusSeconds(5), record -> name.equals(record.getCluster())
                    && record.getKind() == ActionKind.FAILOVER_SUMMARY && "FENCE".equals(record.getAttributes().get("mode"))).get(0);
            assertThat(fenced.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(fenced.getAttributes()).containsEntry("fencedNode", old.name());

            assertThat(current.isInRecovery()).as("the new primary untouched").isFalse();
            current.execute("CREATE TABLE written_after_the_fence (id int)");
            old.start();   // and once more as it was: now it comes up in recovery
            assertThat(old.isInRecovery()).isTrue();
            try (Connection connection = old.connect(); Statement statement = connection.createStatement()) {
                statement.execute("SET default_transaction_read_only = off");
                SQLException refused = catchThrowableOfType(SQLException.class, () -> statement.execute("INSERT INTO drill VALUES (-2)"));
                assertThat(refused == null ? "committed" : refused.getSQLState()).isEqualTo("25006");
            }
        }
    }
}
