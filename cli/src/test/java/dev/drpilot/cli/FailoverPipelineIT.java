package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.cli.drill.FailoverDrill;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import dev.drpilot.testkit.postgres.PostgresCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Collectors → detectors → actuator on real PostgreSQL: the primary's postmaster is killed with
 * a writer running; the pipeline detects it (probe + the replicas' lost WAL receivers), issues one
 * failover command, promotes the preferred replica, repoints the other, and records it all.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class FailoverPipelineIT {

    @Test
    void aKilledPrimaryIsFailedOverByThePipeline(EmbeddedKafkaBroker broker) throws Exception {
        String name = TestNames.unique("pipeline");
        try (PostgresCluster pg = PostgresCluster.start(name, 2);
             FailoverDrill drill = new FailoverDrill(broker, pg, name, "")) {
            FailoverDrill.Result result = drill.killPrimary(Duration.ofSeconds(60));

            assertThat(result.newPrimary()).isEqualTo(pg.replica(0).name());
            assertThat(result.summary().getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(result.summary().getAttributes()).containsEntry("newPrimary", pg.replica(0).name()).containsKey("rtoMillis");
            await("the other replica streaming from the new primary").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try (Connection connection = pg.replica(1).connect(); Statement statement = connection.createStatement();
                     ResultSet row = statement.executeQuery("SELECT status, sender_port FROM pg_stat_wal_receiver")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString(1) + ":" + row.getInt(2)).isEqualTo("streaming:" + pg.replica(0).port());
                }
            });
            List<ConsumerRecord<String, FailoverCommand>> commands = KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 1_000,
                    Topics.FAILOVER_COMMANDS.keySerde().deserializer(), Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofSeconds(3));
            assertThat(commands).filteredOn(record -> name.equals(record.key())).singleElement()
                    .satisfies(record -> assertThat(record.value().getFailedNode()).isEqualTo(pg.primary().name()));
            await("primary-down fired and resolved").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<ConsumerRecord<String, Alert>> alerts = KafkaTestClients.read(broker, Topics.ALERTS.name(), 10_000,
                        Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(3));
                assertThat(alerts).filteredOn(record -> name.equals(record.value().getCluster()) && record.value().getRule().equals("primary-down"))
                        .extracting(record -> record.value().getStatus().name()).containsExactly("FIRING", "RESOLVED");
            });
            System.out.printf("pipeline failover: writable after %d ms (kill to write accepted), %d of %d acknowledged rows lost, summary: %s%n",
                    result.toWritable().toMillis(), result.lost(), result.acknowledged(), result.summary().getDetail());
        }
    }
}
