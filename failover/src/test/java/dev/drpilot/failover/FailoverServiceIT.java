package dev.drpilot.failover;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.schemas.topic.DeadLetter;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failover actuator as a service: a command on {@code drpilot.failover.commands} is carried
 * out; stopped between promote and repoint and started again, it resumes — no second promotion —
 * and finishes the runbook. A failover waiting for an operator's approval holds up no other cluster's. Records it cannot read, on either of its topics, are dead-lettered and paged, and the
 * next command is served.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class FailoverServiceIT {

    @Test
    void stoppedBetweenPromoteAndRepointItResumesWithoutPromotingAgain(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS, Topics.FAILOVER_COMMANDS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String name = TestNames.unique("fo-resume");
        String group = TestNames.unique("failover-it");
        try (PostgresCluster pg = PostgresCluster.start(name, 2)) {
            DrpilotConfig config = RunbookExecutorIT.config(name, pg, "");
            pg.primary().kill();
            FailoverCommand command = RunbookExecutorIT.command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);
            try (KafkaProducer<String, FailoverCommand> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                    Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), name, command)).get();
            }

            AtomicReference<FailoverService> first = new AtomicReference<>();
            StepFactory stopAfterPromote = new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()) {
                @Override
                public FailoverStep create(Runbook.Step step, ClusterConfig cluster) {
                    FailoverStep real = super.create(step, cluster);
                    return step.type() != Runbook.Type.PROMOTE ? real : new StopAfter(real, first);
                }
            };
            AuditLog firstAudit = RunbookExecutorIT.audit(broker);
            FailoverService service = new FailoverService(config, broker.clientProperties(), group, firstAudit,
                    new RunbookExecutor(firstAudit, stopAfterPromote, Clock.systemUTC()), DeadLetters.open(broker.clientProperties(), firstAudit, Clock.systemUTC()),
                    Clock.systemUTC());
            first.set(service);
            service.start();
            await("the first actuator stopped after promote").atMost(Duration.ofSeconds(60)).until(service::stopping);
            service.close();
            firstAudit.close();
            assertThat(pg.replica(0).isInRecovery()).as("promoted by the first actuator").isFalse();

            try (AuditLog audit = RunbookExecutorIT.audit(broker);
                 FailoverService again = new FailoverService(config, broker.clientProperties(), group, audit,
                         RunbookExecutorIT.executor(audit), DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC()),
                         Clock.systemUTC()).start()) {
                await("the resumed runbook's summary").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                                .anySatisfy(record -> assertThat(record.getKind()).isEqualTo(ActionKind.FAILOVER_SUMMARY)));
                List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
                assertThat(records).filteredOn(record -> record.getName().equals("promote postgres"))
                        .extracting(ActionRecord::getStatus).as("promoted once").containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
                assertThat(records).filteredOn(record -> record.getStatus() == ActionStatus.SUCCEEDED && record.getKind() == ActionKind.FAILOVER_STEP)
                        .extracting(ActionRecord::getName)
                        .containsExactly("check", "fence stop", "promote postgres", "repoint replicas", "verify", "notify");
                ActionRecord summary = records.get(records.size() - 1);
                assertThat(summary.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
                assertThat(summary.getAttributes()).containsEntry("newPrimary", pg.replica(0).name()).containsKey("rtoMillis");
                assertThat(RunbookExecutorIT.senderPort(pg.replica(1))).isEqualTo("streaming:" + pg.replica(0).port());
            }
        }
    }

    @Test
    void unreadableCommandsAndInstructionsAreDeadLetteredAndPagedAndTheNextCommandIsServed(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS, Topics.FAILOVER_COMMANDS, Topics.FAILOVER_CONTROL, Topics.DEAD_LETTER), 1,
                    Optional.empty(), Duration.ofSeconds(30));
        }
        String name = TestNames.unique("fo-poison");
        String group = TestNames.unique("failover-it");
        byte[] badCommand = ("not a command " + name).getBytes(StandardCharsets.UTF_8);
        byte[] badInstruction = ("not an instruction " + name).getBytes(StandardCharsets.UTF_8);
        try (PostgresCluster pg = PostgresCluster.start(name, 2)) {
            DrpilotConfig config = RunbookExecutorIT.config(name, pg, "");
            pg.primary().kill();
            FailoverCommand command = RunbookExecutorIT.command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);
            try (KafkaProducer<byte[], byte[]> raw = KafkaTestClients.producer(broker, new ByteArraySerializer(), new ByteArraySerializer());
                 KafkaProducer<String, FailoverCommand> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                         Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
                raw.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), bytes(name), badCommand)).get();
                // An approval nobody can read approves nothing, and is no pause: the command below still runs.
                raw.send(new ProducerRecord<>(Topics.FAILOVER_CONTROL.name(), bytes("approve/" + name + "-other"), badInstruction)).get();
                producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), name, command)).get();
            }

            try (AuditLog audit = RunbookExecutorIT.audit(broker);
                 DeadLetters deadLetters = DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC());
                 FailoverService service = new FailoverService(config, broker.clientProperties(), group, audit,
                         new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()),
                                 Clock.systemUTC(), Optional.of(new OperatorControls(broker.clientProperties(), deadLetters))),
                         deadLetters, Clock.systemUTC()).start()) {
                await("the real command's summary").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                                .anySatisfy(record -> assertThat(record.getKind()).isEqualTo(ActionKind.FAILOVER_SUMMARY)));
                assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                        .last().extracting(ActionRecord::getStatus).isEqualTo(ActionStatus.SUCCEEDED);
                assertThat(pg.replica(0).isInRecovery()).as("promoted").isFalse();
                assertThat(service.alive()).isTrue();

                List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClients.read(broker, Topics.DEAD_LETTER.name(), Integer.MAX_VALUE,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer(), Duration.ofSeconds(3));
                ConsumerRecord<byte[], byte[]> deadCommand = dead.stream().filter(record -> Arrays.equals(record.value(), badCommand))
                        .findFirst().orElseThrow();
                assertThat(deadCommand.key()).isEqualTo(bytes(name));
                assertThat(header(deadCommand, DeadLetter.TOPIC)).isEqualTo(Topics.FAILOVER_COMMANDS.name());
                assertThat(header(deadCommand, DeadLetter.CONSUMER)).isEqualTo(group);
                assertThat(header(deadCommand, DeadLetter.REASON)).isNotBlank();
                ConsumerRecord<byte[], byte[]> deadInstruction = dead.stream().filter(record -> Arrays.equals(record.value(), badInstruction))
                        .findFirst().orElseThrow();
                assertThat(header(deadInstruction, DeadLetter.TOPIC)).isEqualTo(Topics.FAILOVER_CONTROL.name());
                assertThat(deadLetters.count()).isGreaterThanOrEqualTo(2);

                String commandIncident = "deadletter/" + Topics.FAILOVER_COMMANDS.name() + "-0@" + header(deadCommand, DeadLetter.OFFSET);
                assertThat(audit.incident(commandIncident, command.getIssuedAt().minusSeconds(5))).singleElement().satisfies(page -> {
                    // A refusal: the failover-health rule pages on it (FailoverTrouble, critical).
                    assertThat(page.getKind()).isEqualTo(ActionKind.FAILOVER_REFUSED);
                    assertThat(page.getStatus()).isEqualTo(ActionStatus.REFUSED);
                    assertThat(page.getCluster()).isEqualTo(name);
                    assertThat(page.getDetail()).contains("a failover command was NOT carried out");
                });
                String instructionIncident = "deadletter/" + Topics.FAILOVER_CONTROL.name() + "-0@" + header(deadInstruction, DeadLetter.OFFSET);
                assertThat(audit.incident(instructionIncident, command.getIssuedAt().minusSeconds(5)))
                        .extracting(ActionRecord::getKind).containsOnly(ActionKind.FAILOVER_REFUSED).isNotEmpty();
            }
        }
    }

    @Test
    void aFailoverWaitingForApprovalHoldsUpNoOtherClustersFailover(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS, Topics.FAILOVER_COMMANDS, Topics.FAILOVER_CONTROL, Topics.DEAD_LETTER), 1,
                    Optional.empty(), Duration.ofSeconds(30));
        }
        String name = TestNames.unique("fo-lanes");
        String waiting = name + "-a";
        String automatic = name + "-b";
        try (PostgresCluster pg = PostgresCluster.start(name, 1)) {
            // Two clusters over the same servers: the first is in manual mode and is never approved, so it never acts.
            String manualYaml = RunbookExecutorIT.yaml(waiting, pg, "").replace("mode: auto", "mode: manual");
            String autoYaml = RunbookExecutorIT.yaml(automatic, pg, "");
            DrpilotConfig config = ConfigLoader.parse("components: [{name: %s-db, kind: database}, {name: %s-db, kind: database}]\nclusters:\n%s%s"
                    .formatted(waiting, automatic, clusters(manualYaml), clusters(autoYaml)), "it", env -> null);
            pg.primary().kill();
            FailoverCommand approvalFirst = RunbookExecutorIT.command(waiting, waiting + "-incident", pg.primary(), FailoverMode.MANUAL, false);
            FailoverCommand runs = RunbookExecutorIT.command(automatic, automatic + "-incident", pg.primary(), FailoverMode.AUTO, false);
            try (KafkaProducer<String, FailoverCommand> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                    Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
                // One partition, the waiting command first: only the keyed handling lets the second one overtake it.
                producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), 0, waiting, approvalFirst)).get();
                producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), 0, automatic, runs)).get();
            }

            try (AuditLog audit = RunbookExecutorIT.audit(broker);
                 DeadLetters deadLetters = DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC());
                 FailoverService service = new FailoverService(config, broker.clientProperties(), TestNames.unique("failover-it"), audit,
                         new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()),
                                 Clock.systemUTC(), Optional.of(new OperatorControls(broker.clientProperties(), deadLetters))),
                         deadLetters, Clock.systemUTC()).start()) {
                await("the other cluster's failover ran to its end").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(audit.incident(runs.getIncidentId(), runs.getIssuedAt().minusSeconds(5)))
                                .anySatisfy(record -> assertThat(record.getKind()).isEqualTo(ActionKind.FAILOVER_SUMMARY)));
                assertThat(audit.incident(runs.getIncidentId(), runs.getIssuedAt().minusSeconds(5))).last()
                        .extracting(ActionRecord::getStatus).isEqualTo(ActionStatus.SUCCEEDED);
                assertThat(pg.replica(0).isInRecovery()).as("promoted by the automatic failover").isFalse();
                assertThat(audit.incident(approvalFirst.getIncidentId(), approvalFirst.getIssuedAt().minusSeconds(5)))
                        .as("still waiting for its approval").extracting(record -> record.getKind() + " " + record.getStatus())
                        .containsExactly(ActionKind.FAILOVER_APPROVAL + " " + ActionStatus.STARTED);
                assertThat(service.alive()).isTrue();
            }
        }
    }

    /** The cluster entries of a one-cluster configuration. */
    private static String clusters(String yaml) {
        return yaml.substring(yaml.indexOf("clusters:\n") + "clusters:\n".length());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Runs the real step, then asks the actuator to stop, as a deploy or a crash-restart would between two steps. */
    private static final class StopAfter extends ForwardingStep {
        private final AtomicReference<FailoverService> service;

        StopAfter(FailoverStep real, AtomicReference<FailoverService> service) {
            super(real);
            this.service = service;
        }

        @Override
        public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
            StepOutcome outcome = delegate.run(context, timeout);
            CompletableFuture.runAsync(() -> service.get().close());
            await().atMost(Duration.ofSeconds(10)).until(() -> service.get().stopping());
            return outcome;
        }
    }
}
