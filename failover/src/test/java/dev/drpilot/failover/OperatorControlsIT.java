package dev.drpilot.failover;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Operators' instructions through the control topic: a paused cluster is not failed over; manual mode waits for approval. */
@ExtendWith(EmbeddedKafkaExtension.class)
class OperatorControlsIT {

    private static RunbookExecutor executor(AuditLog audit, EmbeddedKafkaBroker broker) {
        return new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()),
                Clock.systemUTC(), Optional.of(new OperatorControls(broker.clientProperties(), DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC()))));
    }

    private static OperatorControls.Writer writer(KafkaProducer<String, ActionRecord> producer) {
        return new OperatorControls.Writer(producer, Clock.systemUTC());
    }

    private static void topics(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS, Topics.FAILOVER_CONTROL, Topics.DEAD_LETTER), 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    @Test
    void aPausedClusterIsNotFailedOverUntilResumed(EmbeddedKafkaBroker broker) throws Exception {
        topics(broker);
        String name = TestNames.unique("fo-pause");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = RunbookExecutorIT.audit(broker);
             KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                     Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            DrpilotConfig config = RunbookExecutorIT.config(name, pg, "");
            ClusterConfig cluster = config.clusters().get(name);
            writer(producer).pause(name, "alice", "storage maintenance");
            pg.primary().kill();

            FailoverCommand first = RunbookExecutorIT.command(name, name + "-1", pg.primary(), FailoverMode.AUTO, false);
            assertThat(executor(audit, broker).execute(first, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.REFUSED);
            assertThat(pg.replica(0).isInRecovery()).isTrue();
            assertThat(audit.incident(first.getIncidentId(), first.getIssuedAt().minusSeconds(5))).singleElement().satisfies(refusal -> {
                assertThat(refusal.getKind()).isEqualTo(ActionKind.FAILOVER_REFUSED);
                assertThat(refusal.getDetail()).startsWith("paused: failover of " + name + " paused by alice: storage maintenance");
            });

            writer(producer).resume(name, "alice");
            FailoverCommand second = RunbookExecutorIT.command(name, name + "-2", pg.primary(), FailoverMode.AUTO, false);
            assertThat(executor(audit, broker).execute(second, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(pg.replica(0).isInRecovery()).isFalse();
            assertThat(audit.read(first.getIssuedAt().minusSeconds(60), record -> record.getKind() == ActionKind.OPERATOR && name.equals(record.getCluster())))
                    .extracting(ActionRecord::getName).containsExactly("pause", "resume");
        }
    }

    @Test
    void manualModeWaitsForAnOperatorsApprovalThenFailsOver(EmbeddedKafkaBroker broker) throws Exception {
        topics(broker);
        String name = TestNames.unique("fo-manual");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = RunbookExecutorIT.audit(broker);
             KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                     Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            DrpilotConfig config = dev.drpilot.config.ConfigLoader.parse(RunbookExecutorIT.yaml(name, pg, "").replace("mode: auto", "mode: manual"),
                    "it", env -> null);
            ClusterConfig cluster = config.clusters().get(name);
            pg.primary().kill();
            FailoverCommand command = RunbookExecutorIT.command(name, name + "-1", pg.primary(), FailoverMode.MANUAL, false);
            // Given before the failover asked for one: it approves nothing, and says so.
            writer(producer).approve(command.getIncidentId(), "mallory");
            CompletableFuture<RunbookExecutor.Outcome> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    return executor(audit, broker).execute(command, cluster, config.runbooks().get("default"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await("the approval request recorded, and the early approval reported").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
                assertThat(records).filteredOn(record -> record.getKind() == ActionKind.FAILOVER_APPROVAL).singleElement()
                        .satisfies(request -> assertThat(request.getStatus()).isEqualTo(ActionStatus.STARTED));
                assertThat(records).filteredOn(record -> record.getName().equals("approval ignored")).singleElement().satisfies(ignored -> {
                    assertThat(ignored.getKind()).isEqualTo(ActionKind.OPERATOR);
                    assertThat(ignored.getDetail()).contains("approved by mallory", "does not count: it is older than this failover's request");
                });
            });
            assertThat(outcome).isNotDone();
            assertThat(pg.replica(0).isInRecovery()).as("nothing done before the approval").isTrue();

            writer(producer).approve(command.getIncidentId(), "bob");
            assertThat(outcome.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(pg.replica(0).isInRecovery()).isFalse();
            assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                    .filteredOn(record -> record.getKind() == ActionKind.FAILOVER_APPROVAL && record.getStatus() == ActionStatus.SUCCEEDED)
                    .singleElement().satisfies(approval -> assertThat(approval.getDetail()).isEqualTo("failover " + command.getIncidentId() + " approved by bob"));
        }
    }

    @Test
    void aSwitchoverRunsOnlyWhenTheOperatorOrderedItOnTheControlTopic(EmbeddedKafkaBroker broker) throws Exception {
        topics(broker);
        String name = TestNames.unique("fo-order");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = RunbookExecutorIT.audit(broker);
             KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                     Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            DrpilotConfig config = RunbookExecutorIT.config(name, pg, "");
            ClusterConfig cluster = config.clusters().get(name);

            // What anyone who may write commands (the detector's principal) could send: no order, so it does not count.
            FailoverCommand forged = switchover(name, name + "-forged", pg.replica(0).name());
            assertThat(executor(audit, broker).execute(forged, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.REFUSED);
            assertThat(pg.replica(0).isInRecovery()).isTrue();
            assertThat(audit.incident(forged.getIncidentId(), forged.getIssuedAt().minusSeconds(5))).singleElement()
                    .satisfies(refusal -> assertThat(refusal.getDetail()).startsWith("a switchover is an operator's command, and no operator ordered"));

            FailoverCommand ordered = switchover(name, name + "-ordered", pg.replica(0).name());
            new OperatorControls.Writer(producer, Clock.systemUTC(), "drpilot-operator").order(ordered.getIncidentId(), name, "alice", "switchover");
            assertThat(executor(audit, broker).execute(ordered, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(pg.replica(0).isInRecovery()).isFalse();
        }
    }

    private static FailoverCommand switchover(String cluster, String incident, String target) {
        Instant now = Instant.now();
        return FailoverCommand.newBuilder().setCommandId(incident + "/switchover").setIncidentId(incident).setCluster(cluster)
                .setComponent(cluster + "-db").setReason("maintenance").setMode(FailoverMode.SWITCHOVER).setTargetNode(target)
                .setDetectedAt(now).setIssuedAt(now).build();
    }

    @Test
    void anUnreadablePauseCountsAsAPauseUntilANewInstructionReplacesIt(EmbeddedKafkaBroker broker) throws Exception {
        topics(broker);
        String name = TestNames.unique("fo-unreadable");
        try (AuditLog audit = RunbookExecutorIT.audit(broker);
             DeadLetters deadLetters = DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC());
             KafkaProducer<byte[], byte[]> raw = KafkaTestClients.producer(broker, new ByteArraySerializer(), new ByteArraySerializer());
             KafkaProducer<String, ActionRecord> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                     Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            OperatorControls controls = new OperatorControls(broker.clientProperties(), deadLetters);
            raw.send(new ProducerRecord<>(Topics.FAILOVER_CONTROL.name(), ("pause/" + name).getBytes(StandardCharsets.UTF_8),
                    new byte[]{1, 2, 3})).get();

            assertThat(controls.pause(name)).hasValueSatisfying(pause ->
                    assertThat(pause.getDetail()).startsWith("the newest instruction deadletter/drpilot.failover.control-0@").contains("unreadable"));
            assertThat(audit.read(Instant.now().minusSeconds(60), record -> name.equals(record.getCluster())
                    && record.getKind() == ActionKind.FAILOVER_REFUSED)).singleElement()
                    .satisfies(page -> assertThat(page.getName()).isEqualTo("deadletter"));

            writer(producer).resume(name, "alice");
            assertThat(controls.pause(name)).isEmpty();
        }
    }

    @Test
    void whenThePausesCannotBeReadTheCommandIsRefusedForNowNotRun(EmbeddedKafkaBroker broker) throws Exception {
        topics(broker);
        String name = TestNames.unique("fo-unreadable-control");
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes: [{name: pg-1, role: primary, host: 127.0.0.1, port: 1}, {name: pg-2, host: 127.0.0.1, port: 2}]
                    failover: {mode: auto}
                """.formatted(name), "it", env -> null);
        Map<String, Object> nowhere = new HashMap<>(broker.clientProperties());
        nowhere.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        Instant now = Instant.now();
        FailoverCommand command = FailoverCommand.newBuilder().setCommandId(name + "-1/failover").setIncidentId(name + "-1").setCluster(name)
                .setComponent(name + "-db").setFailedNode("pg-1").setReason("test").setMode(FailoverMode.AUTO).setForce(false)
                .setDetectedAt(now).setIssuedAt(now).build();
        try (AuditLog audit = RunbookExecutorIT.audit(broker);
             DeadLetters deadLetters = DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC())) {
            // The control topic cannot be read (its broker does not answer): a pause there could be missed.
            OperatorControls unreachable = new OperatorControls(nowhere, deadLetters, Duration.ofSeconds(2));
            RunbookExecutor executor = new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(),
                    Optional.empty()), Clock.systemUTC(), Optional.of(unreachable));

            assertThat(executor.execute(command, config.clusters().get(name), config.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.DEFERRED);
            assertThat(audit.incident(command.getIncidentId(), now.minusSeconds(5))).singleElement().satisfies(refusal -> {
                assertThat(refusal.getKind()).isEqualTo(ActionKind.FAILOVER_REFUSED);
                assertThat(refusal.getStatus()).isEqualTo(ActionStatus.REFUSED);
                assertThat(refusal.getDetail()).startsWith("refused for now: could not read drpilot.failover.control: ")
                        .contains("TimeoutException");
                assertThat(refusal.getAttributes()).containsEntry(FailoverGate.DEFERRED, "true");
            });
        }
    }
}
