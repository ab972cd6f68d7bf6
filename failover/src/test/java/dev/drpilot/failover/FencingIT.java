package dev.drpilot.failover;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.TestNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static dev.drpilot.failover.RunbookExecutorIT.command;
import static dev.drpilot.failover.RunbookExecutorIT.executor;
import static dev.drpilot.failover.RunbookExecutorIT.inRecovery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The fence against real PostgreSQL: an old primary that does not answer because it is frozen (silent, as behind a
 * partition) is not promoted past by default, only with {@code unreachablePrimary: promote}; when it comes back writable a
 * FENCE command demotes it — and never the legitimate primary; a demoted node restarted as it was takes no write whatever
 * its session sets; a role without the grants fences nothing and says which grant is missing.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class FencingIT {

    @BeforeAll
    static void topics(EmbeddedKafkaBroker broker) throws Exception {
        RunbookExecutorIT.topics(broker);   // and the audit log's broker
    }

    /**
     * Whatever the session sets, the node takes no write: it is in recovery. {@code BEGIN READ WRITE} is refused outright, and
     * a write refused with SQLSTATE 25006 (read-only transaction).
     */
    static void assertTakesNoWrite(PostgresNode node) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET default_transaction_read_only = off");
            SQLException readWrite = catchThrowableOfType(SQLException.class, () -> statement.execute("BEGIN READ WRITE"));
            assertThat(readWrite == null ? "began" : readWrite.getMessage()).as("BEGIN READ WRITE on " + node.name())
                    .contains("cannot set transaction read-write mode during recovery");
            SQLException write = catchThrowableOfType(SQLException.class, () -> statement.execute("CREATE TABLE fence_probe (id int)"));
            assertThat(write == null ? "committed" : write.getSQLState()).as("a write on " + node.name()).isEqualTo("25006");
        }
    }

    private static FailoverCommand fence(String cluster, String incident, PostgresNode node) {
        Instant now = Instant.now();
        return FailoverCommand.newBuilder().setCommandId(incident + "/" + now.toEpochMilli()).setIncidentId(incident).setCluster(cluster)
                .setComponent(cluster + "-db").setFailedNode(node.name()).setReason("seen writable after a failover")
                .setMode(FailoverMode.FENCE).setDetectedAt(now).setIssuedAt(now).build();
    }

    private static ActionRecord summary(AuditLog audit, FailoverCommand command) throws Exception {
        return audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)).stream()
                .filter(record -> record.getName().equals("summary")).reduce((first, second) -> second).orElseThrow();
    }

    @Test
    void aSilentOldPrimaryIsPromotedPastOnlyByPolicyAndFencedOnSightWhenItComesBackButTheNewPrimaryNever() throws Exception {
        String name = TestNames.unique("fence-silent");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = RunbookExecutorIT.audit()) {
            PostgresNode old = pg.primary();
            PostgresNode replica = pg.replica(0);
            DrpilotConfig safe = RunbookExecutorIT.config(name, pg, "");
            DrpilotConfig available = RunbookExecutorIT.config(name, pg, ", unreachablePrimary: promote");
            old.freeze();
            try {
                FailoverCommand refused = command(name, name + "-1", old, FailoverMode.AUTO, false);
                assertThat(executor(audit).execute(refused, safe.clusters().get(name), safe.runbooks().get("default")))
                        .isEqualTo(RunbookExecutor.Outcome.REFUSED);
                assertThat(inRecovery(replica)).as("not promoted beside a primary that may be serving").isTrue();
                List<ActionRecord> records = audit.incident(refused.getIncidentId(), refused.getIssuedAt().minusSeconds(5));
                assertThat(records).filteredOn(r -> r.getName().equals("fence stop") && r.getStatus() == ActionStatus.SUCCEEDED).singleElement()
                        .satisfies(fence -> assertThat(fence.getAttributes()).containsEntry("fenced", "unreachable"));
                assertThat(records).filteredOn(r -> r.getKind() == ActionKind.FAILOVER_REFUSED).singleElement().satisfies(promote -> {
                    assertThat(promote.getName()).isEqualTo("promote postgres");
                    assertThat(promote.getDetail()).startsWith("not promoting: " + old.name() + " did not answer at all")
                            .contains("failover.unreachablePrimary is when-port-closed").contains("drpilot switchover --to");
                });
                assertThat(summary(audit, refused).getStatus()).as("pages through failover-health").isEqualTo(ActionStatus.REFUSED);

                FailoverCommand accepted = command(name, name + "-2", old, FailoverMode.AUTO, false);
                assertThat(executor(audit).execute(accepted, available.clusters().get(name), available.runbooks().get("default")))
                        .isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
                assertThat(inRecovery(replica)).isFalse();
                assertThat(audit.incident(accepted.getIncidentId(), accepted.getIssuedAt().minusSeconds(5)))
                        .filteredOn(r -> r.getName().equals("promote postgres") && r.getStatus() == ActionStatus.SUCCEEDED).singleElement()
                        .satisfies(promote -> assertThat(promote.getAttributes()).containsEntry("promotedPast", "unreachable-accepted-by-policy"));
            } finally {
                old.thaw();
            }

            // A fence of the legitimate primary is refused, whoever asks.
            FailoverCommand wrong = fence(name, "fence-" + replica.name(), replica);
            assertThat(executor(audit).execute(wrong, safe.clusters().get(name), safe.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.REFUSED);
            assertThat(summary(audit, wrong).getDetail()).isEqualTo("not fencing " + replica.name() + ": " + replica.name()
                    + " is the primary the newest failover (" + name + "-2) promoted: the legitimate primary is never fenced");
            assertThat(inRecovery(replica)).isFalse();

            // Back from its "partition": a writable primary beside the new one. Fenced on sight.
            assertThat(inRecovery(old)).as("split brain").isFalse();
            FailoverCommand onSight = fence(name, "fence-" + old.name(), old);
            assertThat(executor(audit).execute(onSight, safe.clusters().get(name), safe.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(old.isRunning()).isFalse();
            assertThat(audit.incident(onSight.getIncidentId(), onSight.getIssuedAt().minusSeconds(5)))
                    .filteredOn(r -> r.getKind() == ActionKind.FAILOVER_STEP && r.getStatus() == ActionStatus.SUCCEEDED).singleElement()
                    .satisfies(step -> assertThat(step.getAttributes()).containsEntry("fenced", "demoted"));
            assertThat(summary(audit, onSight).getAttributes()).containsEntry("mode", "FENCE").containsEntry("fencedNode", old.name())
                    .containsEntry("replacedBy", name + "-2");
            assertThat(inRecovery(replica)).as("the new primary untouched").isFalse();

            old.start();
            assertThat(inRecovery(old)).isTrue();
            assertTakesNoWrite(old);

            FailoverCommand again = fence(name, "fence-" + old.name(), old);
            assertThat(executor(audit).execute(again, safe.clusters().get(name), safe.runbooks().get("default")))
                    .isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(summary(audit, again).getDetail()).as("idempotent").startsWith("nothing to fence: " + old.name() + " is in recovery");
        }
    }

    @Test
    void aRoleWithoutTheGrantsFencesNothingAndNamesWhatIsMissing() throws Exception {
        String name = TestNames.unique("fence-grants");
        try (PostgresCluster pg = PostgresCluster.start(name, 1); AuditLog audit = RunbookExecutorIT.audit()) {
            PostgresNode primary = pg.primary();
            primary.execute("CREATE ROLE fencer LOGIN");
            String login = "port: " + primary.port() + ", user: ";
            DrpilotConfig config = ConfigLoader.parse(RunbookExecutorIT.yaml(name, pg, ", runbook: fence-only").replace(login + "postgres", login + "fencer")
                    + """
                    runbooks:
                      fence-only:
                        steps:
                          - {type: fence, method: stop}
                    """, "it", env -> null);
            FailoverCommand command = command(name, name + "-1", primary, FailoverMode.AUTO, false);
            assertThat(executor(audit).execute(command, config.clusters().get(name), config.runbooks().get("fence-only")))
                    .isEqualTo(RunbookExecutor.Outcome.FAILED);
            assertThat(audit.incident(command.getIncidentId(), command.getIssuedAt().minusSeconds(5)))
                    .filteredOn(r -> r.getName().equals("fence stop") && r.getStatus() == ActionStatus.FAILED).singleElement()
                    .satisfies(fence -> assertThat(fence.getDetail()).isEqualTo("could not demote " + primary.name() + ": drpilot's role fencer"
                            + " lacks pg_read_all_settings, pg_write_server_files, pg_execute_server_program (GRANT pg_read_all_settings,"
                            + " pg_write_server_files, pg_execute_server_program TO fencer, or make it a superuser); nothing was changed, and"
                            + " nothing weaker was tried: a setting a session can undo is no fence"));
            assertThat(inRecovery(primary)).isFalse();
            assertThat(Files.exists(primary.dataDir().resolve("standby.signal"))).isFalse();
            try (Connection connection = primary.connect(); Statement statement = connection.createStatement()) {
                statement.execute("SHOW default_transaction_read_only");
                assertThat(statement.getResultSet().next()).isTrue();
                assertThat(statement.getResultSet().getString(1)).as("no fallback to a setting").isEqualTo("off");
            }

            primary.execute("GRANT pg_read_all_settings, pg_write_server_files, pg_execute_server_program TO fencer");
            FailoverCommand granted = command(name, name + "-2", primary, FailoverMode.AUTO, false);
            assertThat(executor(audit).execute(granted, config.clusters().get(name), config.runbooks().get("fence-only")))
                    .isEqualTo(RunbookExecutor.Outcome.SUCCEEDED);
            assertThat(primary.isRunning()).isFalse();
            primary.start();
            assertTakesNoWrite(primary);
        }
    }
}
