package dev.drpilot.recovery;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresInstallation;
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
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Real pgBackRest (Debian's package) with a local posix repository: a stanza on a real primary
 * that archives into it, a full backup, rows in three batches; restore checks into a scratch
 * directory — to a point between batch 2 and 3, to the latest point — and one from a corrupted
 * repository, which must fail. WAL-G is not packaged: a script that answers its three commands
 * (backup-list, backup-fetch, wal-fetch) from a pg_basebackup and a copy of the archive stands in for it, so
 * the WAL-G recovery settings are shown to work on a real server. One primary for the whole class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreCheckIT {
    private static final String STANZA = "it";
    private static final Duration COMMAND = Duration.ofSeconds(120);
    private static final CommandRunner AS_POSTGRES = CommandRunner.as("postgres");

    private static PostgresCluster postgres;
    private static Path work;
    private static Path configFile;
    private static Path scratch;
    private static Path walgScratch;
    private static DrpilotConfig config;
    private static Instant betweenBatch2And3;
    private static MockProducer<String, RestoreCheck> published;
    private static RestoreCheckPublisher publisher;

    @BeforeAll
    static void backUpAPrimaryWithThreeBatches() throws Exception {
        assertThat(pgbackrestInstalled()).as("pgbackrest is not installed: apt-get install pgbackrest").isTrue();
        postgres = PostgresCluster.start("restore", 0);
        PostgresNode primary = postgres.primary();
        work = primary.dataDir().resolveSibling("pgbackrest");
        Files.createDirectories(work.resolve("repo"));
        configFile = work.resolve("pgbackrest.conf");
        Files.writeString(configFile, String.join("\n",
                "[global]",
                "repo1-path=" + work.resolve("repo"),
                "repo1-retention-full=2",
                "log-path=" + work,
                "lock-path=" + work,
                "start-fast=y",
                // A corrupted file fails at once instead of after pgBackRest's retries (0 s and 15 s apart).
                "job-retry=0",
                "archive-timeout=30",
                "",
                "[" + STANZA + "]",
                "pg1-path=" + primary.dataDir(),
                "pg1-port=" + primary.port(),
                "pg1-socket-path=" + primary.socketDir(),
                ""));
        chownToPostgres(work);
        primary.execute("ALTER SYSTEM SET archive_mode = on");
        Path walg = work.resolve("walg");
        primary.execute("ALTER SYSTEM SET archive_command = 'pgbackrest --config=" + configFile + " --stanza=" + STANZA
                + " archive-push %p && mkdir -p " + walg.resolve("wal") + " && cp %p " + walg.resolve("wal") + "/%f'");
        primary.stop();
        primary.start();
        pgbackrest("stanza-create");
        pgbackrest("--type=full", "backup");
        Path fakeWalG = fakeWalG(walg);
        run("pg_basebackup for the WAL-G stand-in", List.of(PostgresInstallation.find().bin().resolve("pg_basebackup").toString(),
                "-h", primary.socketDir().toString(), "-p", Integer.toString(primary.port()), "-U", "postgres",
                "-D", walg.resolve("base").toString(), "-X", "none", "-c", "fast", "--no-sync"));
        Files.writeString(walg.resolve("backups.json"), "[{\"backup_name\": \"base_000000010000000000000002\", \"finish_time\": \""
                + serverNow(primary) + "\"}]");
        chownToPostgres(walg);
        // pgBackRest picks the newest backup that stopped before the target, to the second: keep the batches a second clear of it.
        Instant backedUp = serverNow(primary);
        await().atMost(Duration.ofSeconds(5)).until(() -> serverNow(primary).isAfter(backedUp.plusMillis(1100)));

        primary.execute("CREATE TABLE batches (batch int NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        primary.execute("INSERT INTO batches (batch) SELECT 1 FROM generate_series(1, 10)");
        primary.execute("SELECT pg_switch_wal()");
        primary.execute("INSERT INTO batches (batch) SELECT 2 FROM generate_series(1, 10)");
        Instant batch2 = newestWrite(primary);
        // The target lies strictly between batch 2's commit and batch 3's: wait until the server's clock has passed it.
        betweenBatch2And3 = batch2.plusMillis(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> serverNow(primary).isAfter(betweenBatch2And3.plusMillis(200)));
        primary.execute("INSERT INTO batches (batch) SELECT 3 FROM generate_series(1, 10)");
        String lastSegment = walFileOfSwitch(primary);
        await().atMost(Duration.ofSeconds(30)).until(() -> archived(primary, lastSegment));

        scratch = work.resolve("scratch");
        walgScratch = work.resolve("walg-scratch");
        int port = freePort();
        int walgPort = freePort();
        config = ConfigLoader.parse("""
                components:
                  - {name: restore-db, kind: database, rto: 5m, rpo: 15m, cluster: restore}
                  - {name: walg-db, kind: database, rto: 5m, rpo: 15m}
                clusters:
                  restore:
                    component: restore-db
                    nodes:
                      - {name: %s, role: primary, host: 127.0.0.1, port: %d}
                backups:
                  - component: restore-db
                    tool: pgbackrest
                    stanza: %s
                    restoreCheck:
                      schedule: "0 3 * * 0"
                      scratchDirectory: %s
                      port: %d
                      environment: {PGBACKREST_CONFIG: %s}
                      checks:
                        - {name: batches, sql: "SELECT string_agg(DISTINCT batch::text, ',' ORDER BY batch::text) FROM batches", expect: "1,2"}
                        - {name: rows-present, sql: "SELECT 1 FROM batches LIMIT 1"}
                  - component: walg-db
                    tool: wal-g
                    restoreCheck:
                      scratchDirectory: %s
                      port: %d
                      environment: {PATH: "%s:/usr/bin:/bin", WALG_FAKE_STORE: %s}
                      checks:
                        - {name: batches, sql: "SELECT string_agg(DISTINCT batch::text, ',' ORDER BY batch::text) FROM batches", expect: "1,2"}
                """.formatted(primary.name(), primary.port(), STANZA, scratch, port, configFile, walgScratch, walgPort,
                fakeWalG.getParent(), walg), "it", name -> null);
        published = new MockProducer<>(true, null, Serdes.String().serializer(), Topics.RESTORE_CHECKS.valueSerde().serializer());
        publisher = new RestoreCheckPublisher(published, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void aPointInTimeRestoreHasBatchesOneAndTwoButNotThree() {
        RestoreCheck check = new RestoreCheckRunner(config, "it-host").run("restore-db", RestoreTarget.at(betweenBatch2And3));
        publisher.publish(check);

        assertThat(check.getError()).isNull();
        assertThat(check.getSucceeded()).isTrue();
        assertThat(check.getTool()).isEqualTo(BackupTool.PGBACKREST);
        assertThat(check.getBackupName()).endsWith("F");
        assertThat(check.getTarget()).isEqualTo("time");
        assertThat(check.getChecks()).extracting(RestoreCheckQuery::getName, RestoreCheckQuery::getPassed, RestoreCheckQuery::getDetail)
                .containsExactly(tuple("batches", true, "1,2"),
                        tuple("rows-present", true, "returned rows"));
        assertThat(check.getRecoveryPointAt()).as("the newest replayed commit: batch 2's, before the target")
                .isBeforeOrEqualTo(betweenBatch2And3).isAfter(betweenBatch2And3.minusSeconds(10));
        assertThat(check.getDurationMillis()).isPositive().isLessThan(check.getRtoMillis());
        assertThat(check.getRpoMillis()).isEqualTo(Duration.ofMinutes(15).toMillis());
        assertThat(scratch).as("the scratch directory is removed").doesNotExist();
        assertThat(published.history()).last().satisfies(record -> {
            assertThat(record.topic()).isEqualTo("drpilot.recovery.checks");
            assertThat(record.key()).isEqualTo("restore-db");
            assertThat(record.value().getDurationMillis()).isEqualTo(check.getDurationMillis());
        });
        System.out.printf("restore-check (point in time, tiny database): %d ms%n", check.getDurationMillis());
    }

    @Test
    @Order(2)
    void theLatestRestoreHasEveryBatch() {
        RestoreCheck check = new RestoreCheckRunner(config, "it-host").run("restore-db", RestoreTarget.latest());

        assertThat(check.getError()).isEqualTo("check queries failed: batches");
        assertThat(check.getTarget()).isEqualTo("latest");
        assertThat(check.getChecks()).first().satisfies(batches -> {
            assertThat(batches.getPassed()).as("expects 1,2 but the latest point has batch 3 too").isFalse();
            assertThat(batches.getDetail()).isEqualTo("returned 1,2,3, expected 1,2");
        });
        assertThat(check.getSucceeded()).isFalse();
        assertThat(check.getRecoveryPointAt()).isAfter(betweenBatch2And3);
        assertThat(scratch).doesNotExist();
    }

    @Test
    @Order(3)
    void walGRestoresThroughTheSameInterfaceToThePointInTime() {
        RestoreCheck check = new RestoreCheckRunner(config, "it-host").run("walg-db", RestoreTarget.at(betweenBatch2And3));

        assertThat(check.getError()).isNull();
        assertThat(check.getTool()).isEqualTo(BackupTool.WAL_G);
        assertThat(check.getBackupName()).isEqualTo("base_000000010000000000000002");
        assertThat(check.getChecks()).singleElement().extracting(RestoreCheckQuery::getDetail).isEqualTo("1,2");
        assertThat(check.getRecoveryPointAt()).isBeforeOrEqualTo(betweenBatch2And3);
        assertThat(walgScratch).doesNotExist();
        System.out.printf("restore-check (WAL-G stand-in, point in time, tiny database): %d ms%n", check.getDurationMillis());
    }

    @Test
    @Order(4)
    void aScratchDirectoryThatIsNotEmptyIsRefusedAndLeftAlone() throws IOException {
        Files.createDirectories(scratch);
        Path precious = Files.writeString(scratch.resolve("precious"), "keep me");
        try {
            RestoreCheck check = new RestoreCheckRunner(config, "it-host").run("restore-db", RestoreTarget.latest());

            assertThat(check.getSucceeded()).isFalse();
            assertThat(check.getError()).startsWith("refused: backups[0].restoreCheck.scratchDirectory: " + scratch + " is not empty");
            assertThat(precious).hasContent("keep me");
        } finally {
            Files.delete(precious);
            Files.delete(scratch);
        }
    }

    @Test
    @Order(5)
    void aCorruptedRepositoryFailsTheRestore() throws IOException {
        Path largest;
        try (Stream<Path> files = Files.walk(work.resolve("repo/backup/" + STANZA))) {
            largest = files.filter(file -> Files.isRegularFile(file) && file.toString().contains("/pg_data/"))
                    .max((a, b) -> Long.compare(size(a), size(b))).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(largest);
        for (int i = bytes.length / 4; i < bytes.length / 2; i++) {
            bytes[i] = (byte) (bytes[i] ^ 0x5a);
        }
        Files.write(largest, bytes);

        RestoreCheck check = new RestoreCheckRunner(config, "it-host").run("restore-db", RestoreTarget.latest());
        publisher.publish(check);

        assertThat(check.getSucceeded()).isFalse();
        assertThat(check.getError()).startsWith("pgbackrest restore failed (exit ");
        assertThat(check.getRecoveryPointAt()).isNull();
        assertThat(scratch).as("removed after a failure too").doesNotExist();
        assertThat(published.history()).last().satisfies(record -> assertThat(record.value().getSucceeded()).isFalse());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers wal-g's restore commands from a base backup and a copy of the archive, as WAL-G would from its store. */
    private static Path fakeWalG(Path store) throws IOException {
        Path script = store.resolve("bin/wal-g");
        Files.createDirectories(script.getParent());
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "set -e",
                "case \"$1\" in",
                "  backup-list) cat \"$WALG_FAKE_STORE/backups.json\" ;;",
                "  backup-fetch) [ \"$3\" = base_000000010000000000000002 ] || [ \"$3\" = LATEST ] || exit 1",
                "                cp -a \"$WALG_FAKE_STORE/base/.\" \"$2/\" ;;",
                "  wal-fetch) [ -f \"$WALG_FAKE_STORE/wal/$2\" ] || exit 1",
                "             cp \"$WALG_FAKE_STORE/wal/$2\" \"$3\" ;;",
                "  *) echo \"unexpected: $*\" >&2; exit 2 ;;",
                "esac",
                ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        chownToPostgres(store);
        return script;
    }

    private static void run(String purpose, List<String> line) {
        CommandRunner.Result result = AS_POSTGRES.run(new Command(purpose, line, Map.of()), COMMAND);
        assertThat(result.succeeded()).as(result.failure()).isTrue();
    }

    private static void pgbackrest(String... arguments) {
        List<String> line = new ArrayList<>(List.of("pgbackrest", "--config=" + configFile, "--stanza=" + STANZA));
        line.addAll(List.of(arguments));
        CommandRunner.Result result = AS_POSTGRES.run(new Command("pgbackrest " + arguments[arguments.length - 1], line, Map.of()), COMMAND);
        assertThat(result.succeeded()).as(result.failure()).isTrue();
    }

    private static boolean pgbackrestInstalled() {
        return Stream.of("/usr/bin/pgbackrest", "/usr/local/bin/pgbackrest").anyMatch(path -> Files.isExecutable(Path.of(path)));
    }

    private static void chownToPostgres(Path directory) {
        CommandRunner.Result result = new CommandRunner(Optional.empty())
                .run(new Command("chown", List.of("chown", "-R", "postgres:postgres", directory.toString())), Duration.ofSeconds(10));
        assertThat(result.succeeded()).as(result.failure()).isTrue();
    }

    private static Instant newestWrite(PostgresNode node) throws SQLException {
        return single(node, "SELECT max(written_at) FROM batches", rows -> rows.getTimestamp(1).toInstant());
    }

    private static Instant serverNow(PostgresNode node) throws SQLException {
        return single(node, "SELECT clock_timestamp()", rows -> rows.getTimestamp(1).toInstant());
    }

    private static String walFileOfSwitch(PostgresNode node) throws SQLException {
        return single(node, "SELECT pg_walfile_name(pg_switch_wal())", rows -> rows.getString(1));
    }

    private static boolean archived(PostgresNode node, String segment) throws SQLException {
        return single(node, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver", rows -> rows.getString(1)).compareTo(segment) >= 0;
    }

    private interface Row<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private static <T> T single(PostgresNode node, String sql, Row<T> row) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return row.read(rows);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
