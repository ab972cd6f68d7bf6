package dev.drpilot.ingest.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.config.BackupSource;
import dev.drpilot.events.ArchiveView;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.Source;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real pgBackRest's own view of its WAL archive, as the backup collector publishes it: a stanza on a real primary
 * that archives into a local repository, a full backup; the archive range reaches the WAL the primary archived last; WAL
 * the backup needs removed from the repository → a problem naming it (which the archiving rule alerts on).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PgBackRestArchiveIT {
    private static final String STANZA = "arch";
    private static final Source SOURCE = Source.newBuilder().setCollectorId("it").setVantage("it").build();

    private static PostgresCluster postgres;
    private static Path repo;
    private static BackupCollector collector;
    private static String infoCommand;

    @BeforeAll
    static void aStanzaWithAFullBackup() throws Exception {
        assertThat(Stream.of("/usr/bin/pgbackrest", "/usr/local/bin/pgbackrest").anyMatch(path -> Files.isExecutable(Path.of(path))))
                .as("pgbackrest is not installed: apt-get install pgbackrest").isTrue();
        postgres = PostgresCluster.start("pgbra", 0);
        PostgresNode primary = postgres.primary();
        Path work = primary.dataDir().resolveSibling("pgbackrest-archive");
        repo = work.resolve("repo");
        Files.createDirectories(repo);
        Path config = work.resolve("pgbackrest.conf");
        Files.writeString(config, String.join("\n", "[global]", "repo1-path=" + repo, "log-path=" + work, "lock-path=" + work,
                "start-fast=y", "archive-timeout=30", "", "[" + STANZA + "]", "pg1-path=" + primary.dataDir(), "pg1-port=" + primary.port(),
                "pg1-socket-path=" + primary.socketDir(), ""));
        run("chown", "-R", "postgres:postgres", work.toString());
        primary.execute("ALTER SYSTEM SET archive_mode = on");
        primary.execute("ALTER SYSTEM SET archive_command = 'pgbackrest --config=" + config + " --stanza=" + STANZA + " archive-push %p'");
        primary.stop();
        primary.start();
        String pgbackrest = "runuser -u postgres -- pgbackrest --config=" + config + " --stanza=" + STANZA;
        run("sh", "-c", pgbackrest + " stanza-create");
        run("sh", "-c", pgbackrest + " --type=full backup");
        // As a collector runs it: the command from the configuration, through sh -c.
        infoCommand = pgbackrest + " info --output=json";
        BackupSource source = new BackupSource("arch-db", BackupSource.Tool.PGBACKREST, Optional.of(infoCommand), Optional.of(STANZA),
                Duration.ofMinutes(5), Duration.ofSeconds(60), Optional.empty());
        collector = new BackupCollector(source, Optional.of("arch"), SOURCE,
                new MockProducer<>(true, null, Serdes.String().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer()),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void theArchiveRangeReachesTheWalThePrimaryArchivedLast() throws Exception {
        PostgresNode primary = postgres.primary();
        primary.writeRows(10);
        String switched = single(primary, "SELECT pg_walfile_name(pg_switch_wal())");
        await("the switched segment to be archived").atMost(Duration.ofSeconds(30))
                .until(() -> single(primary, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(switched) >= 0);

        BackupObservation observation = collector.observe();

        assertThat(observation.getStatus()).isEqualTo(BackupStatus.SUCCEEDED);
        ArchiveView archive = observation.getArchive();
        assertThat(archive.getProblems()).isEmpty();
        assertThat(archive.getRanges()).singleElement().satisfies(range -> {
            assertThat(range.getId()).isEqualTo("15-1");
            assertThat(range.getMin()).matches("[0-9A-F]{24}");
        });
        assertThat(archive.getNewestWal()).isEqualTo(single(primary, "SELECT last_archived_wal FROM pg_stat_archiver"));
    }

    @Test
    @Order(2)
    void walTheBackupNeedsGoneFromTheRepositoryIsAProblemNamingIt() throws Exception {
        JsonNode stanza = new ObjectMapper().readTree(run("sh", "-c", infoCommand)).get(0);
        JsonNode backup = stanza.path("backup").get(0);
        String start = backup.path("archive").path("start").asText();
        // Lose the backup's first WAL segments (and anything older) from the repository, as a retention bug or a hand would.
        List<Path> lost = new ArrayList<>();
        try (Stream<Path> files = Files.walk(repo.resolve("archive").resolve(STANZA))) {
            files.filter(Files::isRegularFile).filter(file -> file.getFileName().toString().matches("[0-9A-F]{24}-.*"))
                    .filter(file -> file.getFileName().toString().substring(0, 24).compareTo(start) <= 0).forEach(lost::add);
        }
        assertThat(lost).as("the backup's first segment is in the repository").isNotEmpty();
        for (Path file : lost) {
            Files.delete(file);
        }

        ArchiveView archive = collector.observe().getArchive();

        assertThat(archive.getProblems()).singleElement().asString()
                .startsWith("WAL is missing from the archive: backup " + backup.path("label").asText() + " needs it from " + start)
                .contains("the archive (15-1) starts at ");
    }

    private static String single(PostgresNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s did not end", String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
        return output;
    }
}
