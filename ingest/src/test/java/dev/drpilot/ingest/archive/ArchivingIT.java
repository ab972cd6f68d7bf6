package dev.drpilot.ingest.archive;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.PostgresConnector;
import dev.drpilot.ingest.replication.ReplicationCollector;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Continuous archiving of a real primary as the collector reports it: the recovery point follows the archived WAL, and a
 * failing {@code archive_command} is reported with the WAL file it failed on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchivingIT {
    private static final PostgresConnector CONNECTOR = new PostgresConnector(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2));
    private static final CollectorIdentity IDENTITY = new CollectorIdentity("archive-it", "it-vantage", "test");
    private static final String FAILING = "echo simulated archive failure >&2; exit 3";

    private static PostgresCluster postgres;
    private static ReplicationCollector collector;
    private static MockProducer<String, BackupObservation> published;
    private static ReplicationCollector watcher;
    private static MockProducer<String, BackupObservation> watched;
    private static String archiveCommand;
    private static Instant recoveryPointBeforeFailure;

    @BeforeAll
    static void startAnArchivingPrimary() throws SQLException {
        postgres = PostgresCluster.start("arch", 0);
        PostgresNode primary = postgres.primary();
        archiveCommand = "mkdir -p " + primary.dataDir().resolveSibling("arch-archive") + " && cp %p "
                + primary.dataDir().resolveSibling("arch-archive") + "/%f";
        primary.execute("ALTER SYSTEM SET archive_mode = on");
        primary.execute("ALTER SYSTEM SET archive_command = '" + archiveCommand + "'");
        // archive_command's own error is written only to the server log: the collector reads it where the log is a file it
        // can find (pg_current_logfile(), with the logging collector) and its role may read it.
        primary.execute("ALTER SYSTEM SET logging_collector = on");
        // A monitoring role (pg_monitor) without the log functions granted: it sees the failure but may not read the log.
        primary.execute("CREATE ROLE arch_watch LOGIN IN ROLE pg_monitor");
        primary.stop();
        primary.start();
        published = new MockProducer<>(true, null, Serdes.String().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer());
        collector = collector(primary, "postgres", published);
        watched = new MockProducer<>(true, null, Serdes.String().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer());
        watcher = collector(primary, "arch_watch", watched);
    }

    private static ReplicationCollector collector(PostgresNode primary, String user, MockProducer<String, BackupObservation> into) {
        ClusterConfig cluster = ConfigLoader.parse("""
                components:
                  - {name: arch-db, kind: database, cluster: arch}
                clusters:
                  arch:
                    component: arch-db
                    nodes:
                      - {name: %s, role: primary, host: 127.0.0.1, port: %d, user: %s}
                """.formatted(primary.name(), primary.port(), user), "it", name -> null).clusters().get("arch");
        MockProducer<String, ReplicationObservation> replication = new MockProducer<>(true, null, Serdes.String().serializer(),
                Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
        return new ReplicationCollector(cluster, IDENTITY, CONNECTOR, replication, into, Clock.systemUTC());
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** Runs the collector once, as its schedule does, and returns the archiving observation it published. */
    private static BackupObservation read() {
        int before = published.history().size();
        collector.run();
        List<BackupObservation> sent = published.history().subList(before, published.history().size()).stream()
                .map(record -> record.value()).toList();
        assertThat(sent).as("one archiving observation per read").hasSize(1);
        assertThat(published.history().get(published.history().size() - 1).key()).isEqualTo("arch");
        return sent.get(0);
    }

    @Test
    @Order(1)
    void theRecoveryPointFollowsTheArchivedWal() throws SQLException {
        PostgresNode primary = postgres.primary();
        // A fresh server has archived nothing: the archive reaches nowhere yet.
        assertThat(read().getArchiver().getArchivedEndLsn()).isNull();
        primary.execute("SELECT pg_switch_wal()");
        await("the first segment to be archived").atMost(Duration.ofSeconds(30))
                .until(ArchivingIT::read, observation -> observation.getArchiver().getArchivedEndLsn() != null);

        primary.writeRows(100);
        BackupObservation written = read();
        assertThat(written.getTool()).isEqualTo(BackupTool.ARCHIVER);
        assertThat(written.getArchiver().getUnarchivedBytes()).as("rows written into a segment not yet archived").isPositive();
        Instant afterWrite = written.getObservedAt();

        primary.execute("SELECT pg_switch_wal()");
        BackupObservation archived = await("the switched segment to be archived").atMost(Duration.ofSeconds(30))
                .until(ArchivingIT::read, observation -> observation.getRecoveryPointAt() != null
                        && observation.getRecoveryPointAt().isAfter(afterWrite));

        assertThat(archived.getStatus()).isEqualTo(BackupStatus.SUCCEEDED);
        assertThat(archived.getWalSegment()).matches("[0-9A-F]{24}");
        assertThat(archived.getComponent()).isEqualTo("arch-db");
        assertThat(archived.getSource().getCollectorId()).isEqualTo("archive-it");

        // Idle on the end of the archived segment: the recovery point moves with each read.
        BackupObservation idle = read();
        assertThat(idle.getRecoveryPointAt()).isAfter(archived.getRecoveryPointAt());
        recoveryPointBeforeFailure = idle.getRecoveryPointAt();
    }

    @Test
    @Order(2)
    void aFailingArchiveCommandIsReportedWithTheWalFileAndTheRecoveryPointStops() throws SQLException {
        PostgresNode primary = postgres.primary();
        primary.execute("ALTER SYSTEM SET archive_command = '" + FAILING + "'");
        primary.execute("SELECT pg_reload_conf()");
        primary.writeRows(100);
        // As on a schedule, a read between the last write and the switch: once the switch's segment is archived, that
        // read is proven, and the idle reads after it with it (ArchiveProgress).
        read();
        primary.execute("SELECT pg_switch_wal()");

        BackupObservation failing = await("the archiver to report the failure").atMost(Duration.ofSeconds(30))
                .until(ArchivingIT::read, observation -> observation.getStatus() == BackupStatus.FAILED);
        ArchiverStatus status = failing.getArchiver();
        assertThat(status.getFailing()).isTrue();
        assertThat(status.getFailedWal()).matches("[0-9A-F]{24}");
        assertThat(failing.getError()).contains(status.getFailedWal()).contains("archive_command failed");
        assertThat(status.getWaitingSegmentBytes()).as("the switched segment waits for archive_command").isPositive();
        assertThat(failing.getRecoveryPointAt()).as("nothing newer is archived").isEqualTo(recoveryPointBeforeFailure);

        // The command's own error, from the server log (the collector's role is a superuser here).
        BackupObservation explained = await("the failure to reach the server log").atMost(Duration.ofSeconds(30))
                .until(ArchivingIT::read, observation -> observation.getArchiver().getFailureMessage() != null);
        assertThat(explained.getArchiver().getFailureMessage()).contains("archive command failed with exit code 3");
        assertThat(explained.getArchiver().getFailureDetail()).contains("The failed archive command was: " + FAILING);
        assertThat(explained.getArchiver().getServerLog()).startsWith("log/");
        assertThat(explained.getError()).contains("archive command failed with exit code 3").contains(FAILING);

        // A role that may not read the log: the observation says where to look instead.
        int before = watched.history().size();
        watcher.run();
        BackupObservation unread = watched.history().get(before).value();
        assertThat(unread.getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(unread.getArchiver().getFailureMessage()).isNull();
        assertThat(unread.getArchiver().getServerLogUnread()).contains("permission denied")
                .contains("GRANT EXECUTE ON FUNCTION pg_current_logfile(), pg_stat_file(text), pg_read_file(text, bigint, bigint)")
                .contains("server log of " + primary.name());
        assertThat(unread.getError()).contains("server log of " + primary.name()).contains(status.getFailedWal());
    }

    @Test
    @Order(3)
    void archivingThatWorksAgainMovesTheRecoveryPointOn() throws SQLException {
        PostgresNode primary = postgres.primary();
        primary.execute("ALTER SYSTEM SET archive_command = '" + archiveCommand + "'");
        // A reload wakes the archiver, which retries the waiting segment at once rather than after its 60 s pause.
        primary.execute("SELECT pg_reload_conf()");
        primary.execute("SELECT pg_switch_wal()");

        BackupObservation fixed = await("archiving to catch up").atMost(Duration.ofSeconds(60))
                .until(ArchivingIT::read, observation -> observation.getStatus() == BackupStatus.SUCCEEDED
                        && observation.getRecoveryPointAt().isAfter(recoveryPointBeforeFailure));

        assertThat(fixed.getError()).isNull();
        assertThat(fixed.getArchiver().getFailing()).isFalse();
        assertThat(fixed.getArchiver().getWaitingSegmentBytes()).isZero();
        assertThat(fixed.getArchiver().getFailureMessage()).as("an old failure in the log is not today's").isNull();
    }
}
