package dev.drpilot.failover;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runbook executor against real PostgreSQL (a primary and two streaming replicas from the
 * test harness) and a real broker for its records: the primary is killed, and the default runbook
 * (check, fence, promote, replicas follow, verify, notify) must leave a writable new primary that
 * the other replica streams from — or refuse, and change nothing, when that is not safe.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RunbookExecutorIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void topics(EmbeddedKafkaBroker embedded) throws Exception {
        broker = embedded;
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS, Topics.FAILOVER_COMMANDS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    /** The configuration of a harness cluster: node 2 preferred over node 3. */
    static DrpilotConfig config(String name, PostgresCluster pg, String failoverExtra) {
        return ConfigLoader.parse(yaml(name, pg, failoverExtra), "it", env -> null);
    }

    static String yaml(String name, PostgresCluster pg, String failoverExtra) {
        StringBuilder nodes = new StringBuilder();
        for (PostgresNode node : pg.nodes()) {
            nodes.append("      - {name: ").append(node.name()).append(", host: ").append(node.host()).append(", port: ").append(node.port())
                    .append(", user: postgres")
                    .append(node == pg.primary() ? ", role: primary" : node == pg.replica(0) ? ", priority: 80" : ", priority: 40").append("}\n");
        }
        return """
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes:
                %2$s    failover: {mode: auto%3$s}
                """.formatted(name, nodes, failoverExtra);
    }

    static FailoverCommand command(String cluster, String incident, PostgresNode failed, FailoverMode mode, boolean force) {
        Instant now = Instant.now();
        return FailoverCommand.newBuilder().setCommandId(incident + "/failover").setIncidentId(incident).setCluster(cluster)
                .setComponent(cluster + "-db").setFailedNode(failed.name()).setReason("test").setMode(mode).setForce(force)
                .setDetectedAt(now).setIssuedAt(now).build();
    }

    static AuditLog audit() {
        return audit(broker);
    }

    static AuditLog audit(EmbeddedKafkaBroker broker) {
        return new AuditLog(KafkaTestClients.producer(broker, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()),
                broker.clientProperties());
    }

    static RunbookExecutor executor(AuditLog audit) {
        return new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty()),
                Clock.systemUTC());
    }

    static boolean inRecovery(PostgresNode node) throws Exception {
        return node.isInRecovery();
    }

    static String senderPort(PostgresNode replica) throws Exception {
        try (Connection connection = replica.connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, sender_port FROM pg_stat_wal_receiver")) {
            return row.next() ? row.getString(1) + ":" + row.getInt(2) : "none";
        }
    }

    @Test
    void aKilledPrimaryIsReplacedByTheBestReplicaWhichTakesWritesAndTheOtherReplicaFollows() throws Exception {
        String name = TestNames.unique("fo-kill");
        try (PostgresCluster pg = PostgresCluster.start(name, 2); AuditLog audit = audit()) {
            DrpilotConfig config = config(name, pg, "");
            ClusterConfig cluster = config.clusters().get(name);
            pg.primary().execute("CREATE TABLE orders (id int)");
            pg.primary().execute("INSERT INTO orders SELECT generate_series(1, 100)");
            pg.awaitCaughtUp(Duration.ofSeconds(20));
            pg.primary().kill();

            FailoverCommand command = command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);
            RunbookExecutor.Outcome outcome = executor(audit).execute(command, cluster, config.runbooks().get("default"));

            assertThat(outcome).isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            PostgresNode promoted = pg.replica(0);
            PostgresNode follower = pg.replica(1);
            assertThat(inRecovery(promoted)).isFalse();
            promoted.execute("INSERT INTO orders VALUES (101)");
            assertThat(senderPort(follower)).isEqualTo("streaming:" + promoted.port());
            await("the row written on the new primary on the follower").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                try (Connection connection = follower.connect(); Statement statement = connection.createStatement();
                     ResultSet count = statement.executeQuery("SELECT count(*) FROM orders")) {
                    count.next();
                    assertThat(count.getInt(1)).isEqualTo(101);
                }
            });

            List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
            assertThat(records).filteredOn(r -> r.getStatus() == ActionStatus.SUCCEEDED && r.getKind() == ActionKind.FAILOVER_STEP)
                    .extracting(ActionRecord::getName)
                    .containsExactly("check", "fence stop", "promote postgres", "repoint replicas", "verify", "notify");
            assertThat(records).filteredOn(r -> r.getStatus() == ActionStatus.STARTED).hasSize(6);
            ActionRecord summary = records.get(records.size() - 1);
            assertThat(summary.getKind()).isEqualTo(ActionKind.FAILOVER_SUMMARY);
            assertThat(summary.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(summary.getAttributes()).containsEntry("newPrimary", promoted.name()).containsEntry("oldPrimary", pg.primary().name())
                    .containsEntry("dataLossBytes", "0").containsKey("rtoMillis");
            assertThat(Long.parseLong(summary.getAttributes().get("rtoMillis"))).isPositive().isLessThan(60_000);
            assertThat(records).filteredOn(r -> r.getName().equals("check") && r.getStatus() == ActionStatus.SUCCEEDED).singleElement()
                    .satisfies(check -> assertThat(check.getDetail()).contains(promoted.name() + " priority 80"));
            // Killed: its port refuses connections, which the default failover.unreachablePrimary (when-port-closed) accepts.
            assertThat(records).filteredOn(r -> r.getName().equals("fence stop") && r.getStatus() == ActionStatus.SUCCEEDED).singleElement()
                    .satisfies(fence -> assertThat(fence.getAttributes()).containsEntry("fenced", "stopped-port-closed"));
            assertThat(records).filteredOn(r -> r.getName().equals("promote postgres") && r.getStatus() == ActionStatus.SUCCEEDED).singleElement()
                    .satisfies(promote -> assertThat(promote.getAttributes()).containsEntry("promotedPast", "stopped-port-closed"));

            // The same command again (a redelivery): nothing is done twice.
            assertThat(executor(audit).execute(command, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.ALREADY_DONE);

            // A second failure of the same cluster within the cooldown is refused.
            FailoverCommand second = command(name, name + "-second", promoted, FailoverMode.AUTO, false);
            assertThat(executor(audit).execute(second, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.REFUSED);
            assertThat(audit.incident(second.getIncidentId(), second.getIssuedAt().minusSeconds(5))).singleElement().satisfies(refusal -> {
                assertThat(refusal.getKind()).isEqualTo(ActionKind.FAILOVER_REFUSED);
                assertThat(refusal.getDetail()).startsWith("cooldown: failover " + command.getIncidentId());
            });
            assertThat(inRecovery(promoted)).isFalse();
        }
    }

    @Test
    void theOnlyCandidateLaggingBeyondTheBoundIsNotPromotedUnlessForced() throws Exception {
        String name = TestNames.unique("fo-lag");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = audit()) {
            DrpilotConfig config = config(name, pg, ", maxLagOnFailover: 1s, maxLagBytesOnFailover: 64KiB");
            ClusterConfig cluster = config.clusters().get(name);
            pg.awaitCaughtUp(Duration.ofSeconds(20));
            pg.replica(0).pauseReplay();
            pg.primary().writeRows(20_000);
            await("WAL received but not replayed").atMost(Duration.ofSeconds(20)).until(() -> {
                try (Connection connection = pg.replica(0).connect(); Statement statement = connection.createStatement();
                     ResultSet row = statement.executeQuery("SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())")) {
                    row.next();
                    return row.getLong(1) > 64 * 1024;
                }
            });
            pg.primary().kill();

            FailoverCommand command = command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);
            assertThat(executor(audit).execute(command, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.REFUSED);
            assertThat(inRecovery(pg.replica(0))).as("not promoted").isTrue();
            List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
            assertThat(records).filteredOn(r -> r.getKind() == ActionKind.FAILOVER_REFUSED).singleElement().satisfies(refusal ->
                    assertThat(refusal.getDetail()).contains("no candidate within the lag bound").contains("replay paused"));
            assertThat(records).filteredOn(r -> r.getName().startsWith("promote")).isEmpty();

            FailoverCommand forced = command(name, name + "-forced", pg.primary(), FailoverMode.AUTO, true);
            assertThat(executor(audit).execute(forced, cluster, config.runbooks().get("default"))).isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(inRecovery(pg.replica(0))).isFalse();
            assertThat(audit.incident(forced.getIncidentId(), forced.getIssuedAt().minusSeconds(5)))
                    .filteredOn(r -> r.getKind() == ActionKind.FAILOVER_SUMMARY).singleElement()
                    .satisfies(summary -> assertThat(summary.getAttributes()).containsEntry("forced", "true"));
        }
    }

    @Test
    void aDryRunRecordsEveryStepAndChangesNothing() throws Exception {
        String name = TestNames.unique("fo-dry");
        try (PostgresCluster pg = PostgresCluster.start(name, 2); AuditLog audit = audit()) {
            DrpilotConfig config = config(name, pg, "");
            pg.primary().kill();
            FailoverCommand command = command(name, name + "-incident", pg.primary(), FailoverMode.DRY_RUN, false);
            ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(RunbookExecutor.class);
            ListAppender<ILoggingEvent> logged = new ListAppender<>();
            logged.start();
            logger.addAppender(logged);
            try {
                assertThat(executor(audit).execute(command, config.clusters().get(name), config.runbooks().get("default")))
                        .isEqualTo(RunbookExecutor.Outcome.DRY_RUN);
            } finally {
                logger.detachAppender(logged);
            }
            // The check step's line as DRPILOT_LOG_FORMAT=json writes it: the failover's entity as fields, not only in the text.
            ILoggingEvent checked = logged.list.stream().filter(event -> event.getFormattedMessage().contains("step 1 (")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line of step 1 in " + logged.list));
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(logger.getLoggerContext());
            encoder.start();
            JsonNode mdc = new ObjectMapper().readTree(encoder.encode(checked)).path("mdc");
            assertThat(mdc.path("incident").asText()).isEqualTo(name + "-incident");
            assertThat(mdc.path("cluster").asText()).isEqualTo(name);
            assertThat(mdc.path("step").asText()).isEqualTo("1-check");
            assertThat(logged.list).last().extracting(event -> event.getMDCPropertyMap().get("step")).as("no step after the last one")
                    .isNull();
            assertThat(org.slf4j.MDC.getCopyOfContextMap()).as("the caller's MDC as it was").isNullOrEmpty();
            assertThat(inRecovery(pg.replica(0))).isTrue();
            assertThat(inRecovery(pg.replica(1))).isTrue();
            List<ActionRecord> records = audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5));
            assertThat(records).filteredOn(r -> r.getStatus() == ActionStatus.SKIPPED).extracting(ActionRecord::getDetail).containsExactly(
                    "dry-run: would demote " + pg.primary().name() + " (standby.signal, fast shutdown) if it answers",
                    "dry-run: would pg_promote() on " + pg.replica(0).name(),
                    "dry-run: would point " + pg.replica(1).name() + " at " + pg.replica(0).name(),
                    "dry-run: would check that " + pg.replica(0).name() + " takes writes and the other replicas stream from it",
                    "dry-run: would announce the failover summary through the alert routes");
            assertThat(records.get(records.size() - 1).getAttributes()).containsEntry("dryRun", "true").containsEntry("outcome", "DRY_RUN");
        }
    }

    @Test
    void aCommandNobodyActedOnForLongerThanTheCooldownIsSkippedAsStale() throws Exception {
        String name = TestNames.unique("fo-stale");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = audit()) {
            DrpilotConfig config = config(name, pg, ", cooldown: 10m");
            pg.primary().kill();
            Instant old = Instant.now().minus(Duration.ofMinutes(11)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            FailoverCommand command = FailoverCommand.newBuilder(command(name, name + "-old", pg.primary(), FailoverMode.AUTO, false))
                    .setIssuedAt(old).setDetectedAt(old).build();
            assertThat(executor(audit).execute(command, config.clusters().get(name), config.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.STALE);
            assertThat(inRecovery(pg.replica(0))).isTrue();
            assertThat(audit.incident(command.getIncidentId(), old.minusSeconds(5))).singleElement().satisfies(skipped -> {
                assertThat(skipped.getKind()).isEqualTo(ActionKind.FAILOVER_SUMMARY);
                assertThat(skipped.getStatus()).isEqualTo(ActionStatus.SKIPPED);
                assertThat(skipped.getDetail()).startsWith("stale: the command was issued at " + old);
            });
        }
    }

    @Test
    void aClusterWhoseFailoverIsOffNowIsNotFailedOverByAnEarlierCommand() throws Exception {
        String name = TestNames.unique("fo-off");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = audit()) {
            DrpilotConfig config = ConfigLoader.parse(yaml(name, pg, "").replace("mode: auto", "mode: off"), "it", env -> null);
            pg.primary().kill();
            FailoverCommand command = command(name, name + "-1", pg.primary(), FailoverMode.AUTO, false);
            assertThat(executor(audit).execute(command, config.clusters().get(name), config.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.REFUSED);
            assertThat(inRecovery(pg.replica(0))).isTrue();
            assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5))).singleElement()
                    .satisfies(refusal -> assertThat(refusal.getDetail()).startsWith("failover of " + name + " is off"));
        }
    }

    @Test
    void aPrimaryThatAnswersTheActuatorsOwnCheckIsNotFailedOver() throws Exception {
        String name = TestNames.unique("fo-alive");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = audit()) {
            assertRefusedAsAlive(audit, pg, config(name, pg, ""), name, "answers drpilot's own check as primary");
        }
    }

    /** A failover of the primary by the default runbook is refused with {@code why}, and the replica stays one. */
    private static void assertRefusedAsAlive(AuditLog audit, PostgresCluster pg, DrpilotConfig config, String name, String why) throws Exception {
        FailoverCommand command = command(name, name + "-incident", pg.primary(), FailoverMode.AUTO, false);
        assertThat(executor(audit).execute(command, config.clusters().get(name), config.runbooks().get("default")))
                .isEqualTo(RunbookExecutor.Outcome.REFUSED);
        assertThat(inRecovery(pg.replica(0))).isTrue();
        assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                .filteredOn(r -> r.getKind() == ActionKind.FAILOVER_REFUSED).singleElement()
                .satisfies(refusal -> assertThat(refusal.getDetail()).contains(why));
    }

    @Test
    void aPrimaryThatAnswersTheActuatorsCheckWithAnErrorIsAliveAndNotFailedOver() throws Exception {
        String name = TestNames.unique("fo-refuses");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = audit()) {
            // drpilot's login to the primary is refused (a role it does not know: 28000): it answered, so it is alive.
            String login = "port: " + pg.primary().port() + ", user: ";
            DrpilotConfig config = ConfigLoader.parse(yaml(name, pg, "").replace(login + "postgres", login + "nobody") + """
                    runbooks:
                      fence-first:
                        steps:
                          - {type: fence, method: stop}
                          - {type: promote, method: postgres}
                    """, "it", env -> null);
            assertRefusedAsAlive(audit, pg, config, name,
                    "answers drpilot's own check with an error (SQLSTATE 28000: FATAL: role \"nobody\" does not exist)");

            // The fence alone (a runbook without the check) does not take a refusing primary for an unreachable one.
            FailoverCommand again = command(name, name + "-fence", pg.primary(), FailoverMode.AUTO, false);
            assertThat(executor(audit).execute(again, config.clusters().get(name), config.runbooks().get("fence-first")))
                    .isEqualTo(RunbookExecutor.Outcome.FAILED);
            assertThat(inRecovery(pg.replica(0))).as("not promoted beside a live primary").isTrue();
            assertThat(audit.incident(again.getIncidentId(), again.getIssuedAt().minusSeconds(5)))
                    .filteredOn(r -> r.getKind() == ActionKind.FAILOVER_STEP && r.getName().equals("fence stop")).last()
                    .satisfies(fence -> {
                        assertThat(fence.getStatus()).isEqualTo(ActionStatus.FAILED);
                        assertThat(fence.getDetail()).contains("it answers but refuses drpilot (SQLSTATE 28000");
                        assertThat(fence.getAttributes()).doesNotContainEntry("fenced", "unreachable");
                    });
        }
    }

    @Test
    void aSwitchoverFencesTheHealthyPrimaryCatchesUpAndPromotesTheChosenReplicaWithoutLosingARow() throws Exception {
        String name = TestNames.unique("fo-switch");
        try (PostgresCluster pg = PostgresCluster.start(name, 2); AuditLog audit = audit()) {
            DrpilotConfig config = config(name, pg, "");
            pg.primary().writeRows(20_000);
            PostgresNode target = pg.replica(1);   // priority 40: the operator's choice wins over priority
            Instant now = Instant.now();
            FailoverCommand command = FailoverCommand.newBuilder().setCommandId(name + "-sw/switchover").setIncidentId(name + "-sw")
                    .setCluster(name).setComponent(name + "-db").setReason("maintenance").setMode(FailoverMode.SWITCHOVER)
                    .setTargetNode(target.name()).setDetectedAt(now).setIssuedAt(now).build();

            assertThat(executor(audit).execute(command, config.clusters().get(name), config.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);

            assertThat(inRecovery(target)).isFalse();
            assertThat(pg.primary().isRunning()).as("the old primary is demoted: shut down").isFalse();
            pg.primary().start();   // restarted as it was: by hand, by a service manager, or its host coming back
            assertThat(inRecovery(pg.primary())).as("it comes back in recovery (standby.signal)").isTrue();
            assertThat(count(target)).as("every row the old primary acknowledged").isEqualTo(count(pg.primary()));
            FencingIT.assertTakesNoWrite(pg.primary());
            await("the other replica streams from the new primary").atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(senderPort(pg.replica(0))).isEqualTo("streaming:" + target.port()));
            ActionRecord summary = audit.incident(command.getIncidentId(), now.minusSeconds(5)).stream()
                    .filter(record -> record.getKind() == ActionKind.FAILOVER_SUMMARY).findFirst().orElseThrow();
            assertThat(summary.getAttributes()).containsEntry("oldPrimary", pg.primary().name()).containsEntry("newPrimary", target.name());
        }
    }

    static long count(PostgresNode node) throws Exception {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM drpilot_load")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
