package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.DeadLetters;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The operators' failover commands against a real broker: what they write, and what history prints. */
@ExtendWith(EmbeddedKafkaExtension.class)
class FailoverCommandsIT {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void pauseResumeAndApproveWriteInstructionsTheActuatorReads(EmbeddedKafkaBroker broker) throws Exception {
        String cluster = TestNames.unique("cli-orders");
        String kafka = broker.bootstrapServers();
        assertThat(cli.run("failover", "pause", cluster, "--bootstrap-servers", kafka, "--by", "alice", "--reason", "disk swap"))
                .as(cli.err.toString()).isZero();
        assertThat(cli.out.toString()).contains("failover of " + cluster + " paused by alice: disk swap");
        OperatorControls controls = controls(broker);
        // --by is the caller's claim; the principal is who the broker authenticated (nobody, on this plaintext broker).
        assertThat(controls.pause(cluster)).hasValueSatisfying(pause -> assertThat(pause.getAttributes())
                .containsEntry("by", "alice").containsEntry("principal", "anonymous"));

        assertThat(cli.run("failover", "resume", cluster, "--bootstrap-servers", kafka, "--by", "alice")).isZero();
        assertThat(controls.pause(cluster)).isEmpty();

        assertThat(cli.run("failover", "approve", cluster + "-incident", "--bootstrap-servers", kafka, "--by", "bob")).isZero();
        assertThat(controls.approval(cluster + "-incident")).hasValueSatisfying(approval ->
                assertThat(approval.getDetail()).isEqualTo("failover " + cluster + "-incident approved by bob"));
    }

    @Test
    void switchoverAsksTheActuatorForAPlannedChangeOfPrimary(EmbeddedKafkaBroker broker) throws Exception {
        String cluster = TestNames.unique("cli-sw");
        Path config = Files.writeString(dir.resolve("drpilot.yaml"), """
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes: [{name: pg-1, role: primary, host: 10.0.0.1}, {name: pg-2, host: 10.0.0.2}]
                """.formatted(cluster));
        assertThat(cli.run("switchover", cluster, "--to", "pg-3", "--config", config.toString(), "--bootstrap-servers",
                broker.bootstrapServers())).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--to: cluster " + cluster + " has no node named \"pg-3\"");

        assertThat(cli.run("switchover", cluster, "--to", "pg-2", "--config", config.toString(), "--bootstrap-servers",
                broker.bootstrapServers())).as(cli.err.toString()).isZero();
        List<ConsumerRecord<String, FailoverCommand>> commands = KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 1_000,
                Topics.FAILOVER_COMMANDS.keySerde().deserializer(), Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofSeconds(3));
        assertThat(commands).filteredOn(record -> cluster.equals(record.key())).singleElement().satisfies(record -> {
            assertThat(record.value().getMode()).isEqualTo(FailoverMode.SWITCHOVER);
            assertThat(record.value().getTargetNode()).isEqualTo("pg-2");
            assertThat(record.value().getFailedNode()).isNull();
            assertThat(record.value().getIncidentId()).startsWith("switchover-" + cluster + "-");
            assertThat(record.value().getReason()).endsWith(" as Kafka principal anonymous");
        });
        String incident = commands.stream().filter(record -> cluster.equals(record.key())).findFirst().orElseThrow().value().getIncidentId();
        // The countersignature the actuator looks for: only the operator's principal may write the control topic.
        assertThat(controls(broker).order(incident)).hasValueSatisfying(order -> assertThat(order.getAttributes())
                .containsEntry("principal", "anonymous").containsEntry("incident", incident));
    }

    @Test
    void historyPrintsEachIncidentWithItsStepsAndFigures(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String cluster = TestNames.unique("cli-hist");
        String incident = cluster + "-20261124T030002Z";
        Instant t = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try (KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.ACTIONS.valueSerde().serializer())) {
            for (ActionRecord record : List.of(
                    record(incident, cluster, incident + "/3-promote", "promote postgres", ActionKind.FAILOVER_STEP, t, 124,
                            "promoted pg-2; it takes writes", Map.of()),
                    record(incident, cluster, incident + "/summary", "summary", ActionKind.FAILOVER_SUMMARY, t, 300, "failed over to pg-2",
                            Map.of("outcome", "SUCCEEDED", "oldPrimary", "pg-1", "newPrimary", "pg-2", "rtoMillis", "5282")))) {
                producer.send(new ProducerRecord<>(Topics.ACTIONS.name(), incident, record)).get();
            }
        }
        assertThat(cli.run("failover", "history", "--bootstrap-servers", broker.bootstrapServers(), "--cluster", cluster, "--since", "1h"))
                .as(cli.err.toString()).isZero();
        assertThat(cli.out.toString().lines().toList()).containsExactly(
                t + "  " + incident + "  cluster " + cluster + "  SUCCEEDED  pg-1 -> pg-2  recovery 5.3 s",
                "    3-promote              SUCCEEDED    124 ms  promoted pg-2; it takes writes");
        assertThat(cli.run("failover", "history", "--bootstrap-servers", broker.bootstrapServers(), "--since", "soon")).isEqualTo(2);
    }

    private static ActionRecord record(String incident, String cluster, String id, String name, ActionKind kind, Instant start, long millis,
                                       String detail, Map<String, String> attributes) {
        return ActionRecord.newBuilder().setActionId(id).setKind(kind).setName(name).setStatus(ActionStatus.SUCCEEDED).setIncidentId(incident)
                .setCluster(cluster).setStartedAt(start).setFinishedAt(start.plusMillis(millis)).setDetail(detail).setAttributes(attributes).build();
    }

    private static OperatorControls controls(EmbeddedKafkaBroker broker) {
        return new OperatorControls(broker.clientProperties(), DeadLetters.open(broker.clientProperties(),
                new AuditLog(KafkaTestClients.producer(broker, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()),
                        broker.clientProperties()), Clock.systemUTC()));
    }
}
