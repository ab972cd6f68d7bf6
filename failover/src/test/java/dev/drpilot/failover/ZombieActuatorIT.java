package dev.drpilot.failover;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Runbook;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An actuator that lost its cluster mid-runbook — frozen or cut off while another took the command over — against real
 * PostgreSQL and a real broker: once the other opened the cluster's records, the first one's next record is refused by
 * Kafka, and it stops there without acting; the other runs the runbook, promoting once. As a service, the fenced
 * actuator stays alive and, looking again later, finds the failover done.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ZombieActuatorIT {

    @Test
    void anActuatorWhoseClusterWasTakenOverStopsAtItsNextRecordWithoutActing(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String name = TestNames.unique("fo-zombie");
        try (PostgresCluster pg = PostgresCluster.start(name, 2); AuditLog audit = RunbookExecutorIT.audit(broker)) {
            DrpilotConfig config = RunbookExecutorIT.config(name, pg, "");
            ClusterConfig cluster = config.clusters().get(name);
            Runbook runbook = config.runbooks().get("default");
            pg.primary().kill();
            FailoverCommand command = RunbookExecutorIT.command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);

            // The zombie: it recorded the check as STARTED and is frozen in it (a GC pause, SIGSTOP, a partition).
            CountDownLatch inCheck = new CountDownLatch(1);
            CountDownLatch thaw = new CountDownLatch(1);
            StepFactory freezesInCheck = new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()) {
                @Override
                public FailoverStep create(Runbook.Step step, ClusterConfig of) {
                    FailoverStep real = super.create(step, of);
                    return step.type() != Runbook.Type.CHECK ? real : new FrozenIn(real, inCheck, thaw);
                }
            };
            ClusterRecorder zombieRecords = ClusterRecorder.open(broker.clientProperties(), name);
            CompletableFuture<RunbookExecutor.Outcome> zombie = CompletableFuture.supplyAsync(() -> {
                try {
                    return new RunbookExecutor(audit, freezesInCheck, Clock.systemUTC()).recordingWith(zombieRecords)
                            .execute(command, cluster, runbook);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(inCheck.await(60, TimeUnit.SECONDS)).isTrue();

            // The new owner of the command's partition opens the cluster: the zombie is fenced from here on.
            try (ClusterRecorder ownerRecords = ClusterRecorder.open(broker.clientProperties(), name)) {
                thaw.countDown();
                assertThatThrownBy(() -> zombie.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .satisfies(failed -> assertThat(failed.getCause()).hasCauseInstanceOf(FencedException.class));
                zombieRecords.close();
                assertThat(pg.replica(0).isInRecovery()).as("the zombie promoted nothing").isTrue();
                assertThat(pg.replica(1).isInRecovery()).isTrue();
                assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                        .as("the zombie's check result and everything after it were refused")
                        .extracting(record -> record.getName() + " " + record.getStatus()).containsExactly("check STARTED");

                RunbookExecutor.Outcome outcome = RunbookExecutorIT.executor(audit).recordingWith(ownerRecords).execute(command, cluster, runbook);
                assertThat(outcome).isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            }
            assertThat(pg.replica(0).isInRecovery()).isFalse();
            await("the other replica follows the new primary").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(RunbookExecutorIT.senderPort(pg.replica(1))).isEqualTo("streaming:" + pg.replica(0).port()));
            List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
            assertThat(records).filteredOn(record -> record.getName().equals("promote postgres")).extracting(ActionRecord::getStatus)
                    .as("promoted once").containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
        }
    }

    @Test
    void aFencedActuatorStaysAliveAndDoesNotRunTheFailoverAgain(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS, Topics.FAILOVER_COMMANDS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        String name = TestNames.unique("fo-zombie-svc");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = RunbookExecutorIT.audit(broker);
             DeadLetters deadLetters = DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC())) {
            DrpilotConfig config = RunbookExecutorIT.config(name, pg, "");
            pg.primary().kill();
            FailoverCommand command = RunbookExecutorIT.command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);
            RecordMetadata sent;
            try (KafkaProducer<String, FailoverCommand> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                    Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
                sent = producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), name, command)).get();
            }
            CountDownLatch inCheck = new CountDownLatch(1);
            CountDownLatch thaw = new CountDownLatch(1);
            StepFactory freezesInCheck = new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()) {
                @Override
                public FailoverStep create(Runbook.Step step, ClusterConfig of) {
                    FailoverStep real = super.create(step, of);
                    return step.type() != Runbook.Type.CHECK ? real : new FrozenIn(real, inCheck, thaw);
                }
            };
            // Two groups, so that both get the command: the second stands for the actuator the first lost its partition to.
            String zombieGroup = TestNames.unique("failover-it");
            try (FailoverService zombie = new FailoverService(config, broker.clientProperties(), zombieGroup, audit,
                    new RunbookExecutor(audit, freezesInCheck, Clock.systemUTC()), deadLetters, Clock.systemUTC()).start()) {
                assertThat(inCheck.await(60, TimeUnit.SECONDS)).isTrue();
                try (FailoverService owner = new FailoverService(config, broker.clientProperties(), TestNames.unique("failover-it"), audit,
                        RunbookExecutorIT.executor(audit), deadLetters, Clock.systemUTC()).start()) {
                    await("the owner's summary").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                            assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                                    .anySatisfy(record -> assertThat(record.getName()).isEqualTo("summary")));
                }
                thaw.countDown();
                // The zombie's check result is refused; 10 s later it looks again, finds the failover done, and leaves it.
                await("the zombie found the failover done").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> committedPast(broker, zombieGroup, sent));
                assertThat(zombie.alive()).as("fenced is not dead").isTrue();
                assertThat(zombie.worker().trouble()).isEmpty();
            }
            List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
            assertThat(records).filteredOn(record -> record.getName().equals("check")).extracting(ActionRecord::getStatus)
                    .as("the zombie's STARTED, then the owner's run").containsExactly(ActionStatus.STARTED, ActionStatus.STARTED, ActionStatus.SUCCEEDED);
            assertThat(records).filteredOn(record -> record.getName().equals("promote postgres")).extracting(ActionRecord::getStatus)
                    .as("promoted once").containsExactly(ActionStatus.STARTED, ActionStatus.SUCCEEDED);
            assertThat(records).last().extracting(ActionRecord::getName).isEqualTo("summary");
            assertThat(pg.replica(0).isInRecovery()).isFalse();
        }
    }

    /** Whether the group committed past the command: it is done with it. */
    private static boolean committedPast(EmbeddedKafkaBroker broker, String group, RecordMetadata command) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition(command.topic(), command.partition()));
            return committed != null && committed.offset() > command.offset();
        }
    }

    /** Runs the real step once the test thaws it, as a process frozen inside the step would. */
    private static final class FrozenIn extends ForwardingStep {
        private final CountDownLatch entered;
        private final CountDownLatch thaw;

        FrozenIn(FailoverStep real, CountDownLatch entered, CountDownLatch thaw) {
            super(real);
            this.entered = entered;
            this.thaw = thaw;
        }

        @Override
        public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
            entered.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> thaw.getCount() == 0);
            return delegate.run(context, timeout);
        }
    }
}
