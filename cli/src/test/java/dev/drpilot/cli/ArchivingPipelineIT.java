package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Severity;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, the archiving proof end to end on real servers: a real primary's {@code archive_command} switched to a failing
 * command → the collectors ({@link IngestService}) read {@code pg_stat_archiver} and the server log, the detectors
 * ({@link DetectorService}, Kafka Streams) hold it for {@code thresholds.archiveHold} and put {@code WalArchivingFailed}
 * FIRING on {@code drpilot.alerts}, naming the failing WAL file and carrying the command's own error; archive_command
 * fixed → RESOLVED; and the recovery point stands still while archiving fails and moves on with the archived WAL after.
 * One primary and one pipeline, shared by the ordered steps.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchivingPipelineIT {
    private static final Duration HOLD = Duration.ofSeconds(2);
    private static final String FAILING = "echo simulated archive failure >&2; exit 3";

    private static EmbeddedKafkaBroker broker;
    private static PostgresCluster postgres;
    private static String cluster;
    private static String archiveCommand;
    private static Path stateDir;
    private static final List<AutoCloseable> running = new ArrayList<>();
    /** The recovery point while archiving fails (it stands still), set by the first step for the second. */
    private static Instant stuckRecoveryPoint;

    @BeforeAll
    static void startAnArchivingPrimaryAndThePipeline(EmbeddedKafkaBroker kafka) throws Exception {
        broker = kafka;
        cluster = TestNames.unique("archpipe");
        postgres = PostgresCluster.start(cluster, 0);
        PostgresNode primary = postgres.primary();
        Path archive = primary.dataDir().resolveSibling(cluster + "-archive");
        archiveCommand = "mkdir -p " + archive + " && cp %p " + archive + "/%f";
        primary.execute("ALTER SYSTEM SET archive_mode = on");
        primary.execute("ALTER SYSTEM SET archive_command = '" + archiveCommand + "'");
        // archive_command's error goes only to the server log; the collector reads it from the logging collector's file.
        primary.execute("ALTER SYSTEM SET logging_collector = on");
        primary.stop();
        primary.start();

        // The collectors read replication and the archiver every second; the archiving alert holds 2 s and resolves after 3 s.
        DrpilotConfig config = ConfigLoader.parse("""
                collector: {id: %1$s-collector, vantage: it-eu-1, heartbeatInterval: 2s}
                ingestApi: {enabled: false}
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    replicationInterval: 1s
                    nodes:
                      - {name: %2$s, role: primary, host: %3$s, port: %4$d, user: postgres}
                thresholds: {archiveHold: 2s, resolveHold: 3s}
                """.formatted(cluster, primary.name(), primary.host(), primary.port()), "it", name -> null);
        assertThat(config.component(cluster + "-db").orElseThrow().thresholds().archiveHold()).isEqualTo(HOLD);
        List<Topic<?, ?>> topics = new ArrayList<>(new LinkedHashSet<>(concat(IngestService.TOPICS, DetectorService.TOPICS)));
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, topics, 0, Optional.empty(), Duration.ofSeconds(30));
        }
        stateDir = Files.createTempDirectory("drpilot-archiving-it-");
        running.add(new IngestService(config, new CollectorIdentity(config.collector().id(), config.collector().vantage(), "it"),
                broker.clientProperties(), Clock.systemUTC()).start());
        DetectorService detector = new DetectorService(config, broker.clientProperties(), TestNames.unique("archiving-detector"), stateDir)
                .start();
        running.add(detector);
        await("the detector running").atMost(Duration.ofSeconds(60)).until(() -> detector.state() == KafkaStreams.State.RUNNING);

        // Archiving works: a segment is archived and the pipeline publishes the archiver's recovery point.
        primary.writeRows(100);
        primary.execute("SELECT pg_switch_wal()");
        await("an archiver observation with a recovery point").atMost(Duration.ofSeconds(30)).until(() -> archiverObservations().stream()
                .anyMatch(observation -> observation.getStatus() == BackupStatus.SUCCEEDED && observation.getRecoveryPointAt() != null
                        && observation.getArchiver().getArchivedWal() != null));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (postgres != null) {
            postgres.close();   // this class's own server only
        }
        if (stateDir != null) {
            try (var files = Files.walk(stateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void aFailingArchiveCommandFiresWalArchivingFailedWithinItsHoldNamingTheWalFileAndTheCommandsError() throws SQLException {
        PostgresNode primary = postgres.primary();
        primary.execute("ALTER SYSTEM SET archive_command = '" + FAILING + "'");
        primary.execute("SELECT pg_reload_conf()");
        primary.writeRows(100);
        primary.execute("SELECT pg_switch_wal()");

        Alert firing = await("WalArchivingFailed FIRING on " + Topics.ALERTS.name()).atMost(Duration.ofSeconds(30))
                .until(() -> archivingAlerts().stream().filter(alert -> alert.getStatus() == AlertStatus.FIRING).findFirst(),
                        Optional::isPresent).orElseThrow();
        String failedWal;
        Instant failedAt;
        try (Connection connection = primary.connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT last_failed_wal, last_failed_time FROM pg_stat_archiver")) {
            assertThat(row.next()).isTrue();
            failedWal = row.getString(1);
            failedAt = row.getTimestamp(2).toInstant();
        }
        assertThat(failedWal).as("the server's own record of the failure").matches("[0-9A-F]{24}");

        assertThat(firing.getLabels()).containsEntry("alertname", "WalArchivingFailed").containsEntry("rule", "archiving")
                .containsEntry("cluster", cluster).containsEntry("component", cluster + "-db");
        assertThat(firing.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(firing.getFingerprint()).isEqualTo("archiving/cluster=" + cluster + "/component=" + cluster + "-db");
        assertThat(firing.getAnnotations().get("summary")).isEqualTo("WAL archiving of " + cluster + " fails on " + failedWal);
        // archive_command's own error, as the collector read it from the server log.
        assertThat(firing.getAnnotations().get("description")).contains("Primary " + primary.name() + " of " + cluster)
                .contains(failedWal).contains("archive command failed with exit code 3")
                .contains("The failed archive command was: " + FAILING);
        // Held: not before archiveHold of failing observations; and not much after it (a collector reading every second).
        assertThat(Duration.between(firing.getStartsAt(), firing.getEmittedAt())).as("fired after its hold").isGreaterThanOrEqualTo(HOLD);
        assertThat(Duration.between(failedAt, firing.getEmittedAt())).as("fired within its hold of the first failure (and a few reads)")
                .isLessThan(HOLD.plusSeconds(10));

        // The recovery point stands still while the archiver fails: one value on every failing observation, its age growing.
        List<BackupObservation> failing = await("a few failing observations").atMost(Duration.ofSeconds(30))
                .until(() -> archiverObservations().stream().filter(observation -> observation.getStatus() == BackupStatus.FAILED).toList(),
                        observations -> observations.size() >= 3);
        assertThat(failing).extracting(BackupObservation::getRecoveryPointAt).doesNotContainNull().containsOnly(failing.get(0).getRecoveryPointAt());
        assertThat(failing).allSatisfy(observation -> assertThat(observation.getArchiver().getFailing()).isTrue());
        stuckRecoveryPoint = failing.get(0).getRecoveryPointAt();
        assertThat(stuckRecoveryPoint).as("nothing written after the switch to the failing command is archived").isBefore(failedAt);
        BackupObservation newest = failing.get(failing.size() - 1);
        assertThat(Duration.between(stuckRecoveryPoint, newest.getObservedAt())).as("the recovery point's age grows")
                .isGreaterThan(Duration.between(stuckRecoveryPoint, failing.get(0).getObservedAt()));
    }

    @Test
    @Order(2)
    void archiveCommandFixedResolvesTheAlertAndTheRecoveryPointMovesOnWithTheArchivedWal() throws SQLException {
        PostgresNode primary = postgres.primary();
        assertThat(stuckRecoveryPoint).as("the failing step ran first").isNotNull();
        BackupObservation lastFailing = newestArchiverObservation();
        assertThat(lastFailing.getStatus()).isEqualTo(BackupStatus.FAILED);
        Duration ageWhileFailing = Duration.between(stuckRecoveryPoint, lastFailing.getObservedAt());
        Instant fixedAt = Instant.now();
        primary.execute("ALTER SYSTEM SET archive_command = '" + archiveCommand + "'");
        // A reload wakes the archiver: it retries the waiting segment at once instead of after its one-minute pause.
        primary.execute("SELECT pg_reload_conf()");

        await("WalArchivingFailed RESOLVED on " + Topics.ALERTS.name()).atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(archivingAlerts()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED));
        Alert resolved = archivingAlerts().get(1);
        assertThat(resolved.getFingerprint()).isEqualTo("archiving/cluster=" + cluster + "/component=" + cluster + "-db");
        assertThat(resolved.getEndsAt()).as("ended once archiving worked again").isAfterOrEqualTo(fixedAt.minusSeconds(1));

        // The recovery point follows the archived WAL: rows written, a collector's read after them, the segment switched.
        // Once that segment is archived, the read is covered by the archive and becomes the recovery point. (The first step
        // wrote and switched between two reads: ArchiveProgress's documented gap, on the safe side — no read proves the idle
        // time after it, so the recovery point waits for the next write to be archived.)
        primary.writeRows(100);
        Instant written = Instant.now();
        BackupObservation afterWrite = await("a read after the rows").atMost(Duration.ofSeconds(10))
                .until(ArchivingPipelineIT::newestArchiverObservation, observation -> observation.getObservedAt().isAfter(written));
        assertThat(afterWrite.getArchiver().getUnarchivedBytes()).as("the rows are not archived yet").isPositive();
        primary.execute("SELECT pg_switch_wal()");
        BackupObservation caughtUp = await("the recovery point to move on").atMost(Duration.ofSeconds(30))
                .until(ArchivingPipelineIT::newestArchiverObservation, observation -> observation.getStatus() == BackupStatus.SUCCEEDED
                        && !observation.getRecoveryPointAt().isBefore(afterWrite.getObservedAt()));
        assertThat(caughtUp.getArchiver().getFailing()).isFalse();
        assertThat(caughtUp.getArchiver().getArchivedWal()).as("a newer segment archived").isGreaterThan(lastFailing.getArchiver().getFailedWal());
        assertThat(caughtUp.getRecoveryPointAt()).isAfter(stuckRecoveryPoint).isAfter(fixedAt);
        assertThat(Duration.between(caughtUp.getRecoveryPointAt(), caughtUp.getObservedAt())).as("the recovery point's age falls back")
                .isLessThan(ageWhileFailing);
    }

    /** This cluster's archiving alerts on drpilot.alerts, in order. */
    private static List<Alert> archivingAlerts() {
        return readCommitted(Topics.ALERTS).stream().filter(alert -> cluster.equals(alert.getCluster()) && "archiving".equals(alert.getRule()))
                .toList();
    }

    /** This cluster's archiver observations (pg_stat_archiver) on drpilot.observations.backup, in order. */
    private static List<BackupObservation> archiverObservations() {
        return readCommitted(Topics.BACKUP_OBSERVATIONS).stream().filter(observation -> cluster.equals(observation.getCluster())
                && observation.getTool() == BackupTool.ARCHIVER).toList();
    }

    private static BackupObservation newestArchiverObservation() {
        List<BackupObservation> all = archiverObservations();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Every value on a topic so far, read to its end as the detector's consumers read it (read_committed). */
    private static <V> List<V> readCommitted(Topic<String, V> topic) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<V> found = new ArrayList<>();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        found.add(record.value());
                    }
                }
            }
            return found;
        }
    }

    private static <T> List<T> concat(List<? extends T> a, List<? extends T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
