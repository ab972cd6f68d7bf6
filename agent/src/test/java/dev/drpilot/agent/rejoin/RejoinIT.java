package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drpilot.agent.rejoin.DiscardedWrites.RelationWrites;
import dev.drpilot.agent.rejoin.RejoinReport.Check;
import dev.drpilot.agent.rejoin.RejoinReport.Method;
import dev.drpilot.agent.rejoin.RejoinReport.Outcome;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresInstallation;
import dev.drpilot.localpg.PostgresNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Rejoins against real PostgreSQL 15 servers. One rewindable cluster (wal_log_hints on) goes through a refused
 * rejoin of a running server, a failover whose old primary took writes after the promotion (rewound, its writes
 * named), a clean switchover back (rewound, nothing discarded) and a failover whose rewind fails (rebuilt by a
 * base backup); one cluster without wal_log_hints or checksums
 * shows the refusal without a fallback and the base backup with one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RejoinIT {
    private static final RejoinTimeouts TIMEOUTS = new RejoinTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30));

    private static PostgresCluster rewindable;
    private static PostgresCluster plain;

    @BeforeAll
    static void startClusters() {
        rewindable = PostgresCluster.start("rejoin", 1, true);
        plain = PostgresCluster.start("rebuild", 1);
    }

    @AfterAll
    static void stopClusters() {
        if (rewindable != null) {
            rewindable.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    @Test
    @Order(1)
    void aRunningServerIsRefusedAndLeftAsItWas() throws Exception {
        PostgresNode replica = rewindable.replica(0);

        RejoinReport report = rejoin(replica, rewindable.primary(), true);

        assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(report.method()).isEqualTo(Method.NONE);
        assertThat(report.checks()).first().satisfies(check -> {
            assertThat(check.name()).isEqualTo("local server stopped");
            assertThat(check.passed()).isFalse();
        });
        assertThat(report.whatToDo()).hasValueSatisfying(text -> assertThat(text).contains("is running").contains("pg_ctl -D " + replica.dataDir()));
        assertThat(replica.isRunning()).isTrue();
        assertThat(replica.isInRecovery()).isTrue();
        assertThat(siblingsOf(replica)).noneMatch(name -> name.contains(".rejoin-") || name.contains(".before-rejoin-"));
    }

    @Test
    @Order(2)
    void anOldPrimaryThatTookWritesAfterThePromotionIsRewoundAndTheWritesNamed() throws Exception {
        PostgresNode oldPrimary = rewindable.primary();
        PostgresNode newPrimary = rewindable.replica(0);
        sql(oldPrimary, "CREATE TABLE accounts (id int PRIMARY KEY, owner text)", "INSERT INTO accounts SELECT g, 'kept' FROM generate_series(1, 10) g");
        rewindable.awaitCaughtUp(Duration.ofSeconds(30));
        sql(newPrimary, "SELECT pg_promote(true, 30)");
        // The old primary keeps taking writes nobody replicates; synchronous_commit so that they are in its WAL when it dies.
        sql(oldPrimary, "SET synchronous_commit = on", "INSERT INTO accounts SELECT g, 'lost' FROM generate_series(11, 17) g");
        oldPrimary.stopImmediately();

        RejoinReport report = rejoin(oldPrimary, newPrimary, false);

        assertThat(report.outcome()).as(report.describe()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.method()).isEqualTo(Method.REWIND);
        assertThat(report.divergence()).hasValueSatisfying(divergence -> {
            assertThat(divergence.timeline()).isEqualTo(1);
            assertThat(divergence.sourceTimeline()).isEqualTo(2);
        });
        DiscardedWrites discarded = report.discarded().orElseThrow();
        assertThat(discarded.from()).isLessThan(discarded.to());
        assertThat(discarded.relations()).filteredOn(writes -> writes.relation().equals("public.accounts"))
                .extracting(RelationWrites::inserted).containsExactly(7L);
        assertThat(report.checks()).filteredOn(check -> check.name().equals("pg_rewind agrees on the divergence point")).allMatch(Check::passed);
        assertThat(report.streaming()).isPresent();
        assertThat(oldPrimary.isInRecovery()).isTrue();
        assertThat(value(oldPrimary, "SELECT count(*) FROM accounts WHERE owner = 'lost'")).isEqualTo("0");
        sql(newPrimary, "INSERT INTO accounts VALUES (100, 'after rejoin')");
        await().atMost(Duration.ofSeconds(20)).until(() -> value(oldPrimary, "SELECT count(*) FROM accounts").equals("11"));

        ActionRecord record = RejoinActions.record(report, "rejoin/" + oldPrimary.name() + "/1", "rejoin", Optional.of("incident-1"));
        assertThat(record.getKind()).isEqualTo(ActionKind.REJOIN);
        assertThat(record.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(record.getAttributes()).containsEntry("method", "REWIND").containsEntry("discarded.rel.public.accounts", "7 inserted")
                .containsEntry("discarded.from", discarded.from().toString()).containsEntry("discarded.to", discarded.to().toString());
    }

    @Test
    @Order(3)
    void aCleanSwitchoversOldPrimaryIsRewoundWithNothingDiscarded() throws Exception {
        PostgresNode current = rewindable.replica(0);
        PostgresNode target = rewindable.primary();
        current.stop();   // fast: the replica receives everything up to the shutdown checkpoint
        sql(target, "SELECT pg_promote(true, 30)");

        RejoinReport report = rejoin(current, target, false);

        assertThat(report.outcome()).as(report.describe()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.method()).isEqualTo(Method.REWIND);
        assertThat(report.divergence()).hasValueSatisfying(divergence -> assertThat(divergence.timeline()).isEqualTo(2));
        assertThat(report.discarded()).hasValueSatisfying(discarded -> assertThat(discarded.nothing()).isTrue());
        assertThat(report.describe()).contains("discarded: nothing");
        assertThat(current.isInRecovery()).isTrue();
    }

    @Test
    @Order(4)
    void aFailedRewindFallsBackToABaseBackupKeepingTheOldDirectory() throws Exception {
        PostgresNode oldPrimary = rewindable.primary();
        PostgresNode newPrimary = rewindable.replica(0);
        sql(newPrimary, "SELECT pg_promote(true, 30)");
        sql(oldPrimary, "SET synchronous_commit = on", "INSERT INTO accounts VALUES (200, 'lost again')");
        oldPrimary.stopImmediately();

        // Its WAL after the divergence unreadable (segments gone): pg_rewind would discard it unread, so no rewind.
        Path hidden = Files.createDirectories(oldPrimary.dataDir().resolveSibling("hidden-wal"));
        List<Path> segments = moveTimelineSegments(oldPrimary.dataDir().resolve("pg_wal"), hidden, "00000003");
        RejoinReport unread = rejoin(oldPrimary, newPrimary, false);
        moveTimelineSegments(hidden, oldPrimary.dataDir().resolve("pg_wal"), "00000003");
        assertThat(segments).isNotEmpty();
        assertThat(unread.outcome()).as(unread.describe()).isEqualTo(Outcome.REFUSED);
        assertThat(unread.checks()).filteredOn(check -> check.name().equals("discarded writes named")).singleElement()
                .satisfies(check -> assertThat(check.detail()).contains("could not be read"));
        assertThat(unread.discarded()).hasValueSatisfying(discarded -> assertThat(discarded.unreadable()).isPresent());

        // A directory the server's user may not change: pg_rewind must remove what the new primary lacks, and fails.
        Path blocker = Files.createDirectories(oldPrimary.dataDir().resolve("drpilot_rewind_blocker"));
        Files.writeString(blocker.resolve("stuck"), "pg_rewind cannot remove this");
        Files.setPosixFilePermissions(blocker, PosixFilePermissions.fromString("r-xr-xr-x"));

        RejoinReport report = rejoin(oldPrimary, newPrimary, true);

        assertThat(report.outcome()).as(report.describe()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.method()).isEqualTo(Method.BASE_BACKUP);
        assertThat(report.errors()).singleElement().satisfies(error -> {
            assertThat(error.phase()).isEqualTo("rewind");
            assertThat(error.message()).contains("pg_rewind").contains("drpilot_rewind_blocker");
        });
        assertThat(report.keptAside()).hasValueSatisfying(kept -> assertThat(kept.path().resolve("drpilot_rewind_blocker/stuck")).exists());
        assertThat(report.phases()).extracting(RejoinReport.PhaseTiming::phase).containsSubsequence("rewind", "base-backup", "start");
        assertThat(oldPrimary.isInRecovery()).isTrue();
        assertThat(value(oldPrimary, "SELECT count(*) FROM accounts WHERE owner = 'lost again'")).isEqualTo("0");
    }

    @Test
    @Order(5)
    void withoutWalLogHintsItRefusesOrRebuildsKeepingTheOldDirectory() throws Exception {
        PostgresNode oldPrimary = plain.primary();
        PostgresNode newPrimary = plain.replica(0);
        sql(newPrimary, "SELECT pg_promote(true, 30)");
        sql(oldPrimary, "SET synchronous_commit = on", "CREATE TABLE orders (id int)", "INSERT INTO orders VALUES (1), (2)");
        oldPrimary.stopImmediately();

        // pg_ctl sees no server, but something answers on the node's address (a server pg_ctl cannot see): refused.
        RejoinReport listening = rejoin(oldPrimary, newPrimary.port(), newPrimary, true);
        assertThat(listening.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(listening.checks()).singleElement().satisfies(check -> assertThat(check.detail()).contains("accepts connections"));

        RejoinReport refused = rejoin(oldPrimary, newPrimary, false);

        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.checks()).filteredOn(check -> check.name().equals("pg_rewind possible")).singleElement()
                .satisfies(check -> assertThat(check.detail()).contains("wal_log_hints off"));
        assertThat(Files.exists(oldPrimary.dataDir().resolve("standby.signal"))).isFalse();

        RejoinReport rebuilt = rejoin(oldPrimary, newPrimary, true);

        assertThat(rebuilt.outcome()).as(rebuilt.describe()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(rebuilt.method()).isEqualTo(Method.BASE_BACKUP);
        assertThat(rebuilt.keptAside()).hasValueSatisfying(kept -> {
            assertThat(kept.path()).isDirectory();
            assertThat(kept.path().resolve("PG_VERSION")).exists();
            assertThat(kept.bytes()).isPositive();
        });
        // orders was created after the divergence: the new primary has no name for its file node.
        assertThat(rebuilt.discarded()).hasValueSatisfying(discarded -> assertThat(discarded.relations())
                .filteredOn(writes -> writes.relation().matches("1663/\\d+/\\d+")).extracting(RelationWrites::inserted).containsExactly(2L));
        assertThat(oldPrimary.isInRecovery()).isTrue();
        assertThat(value(newPrimary, "SELECT state FROM pg_stat_replication WHERE application_name = '" + oldPrimary.name() + "'")).isEqualTo("streaming");
    }

    private static RejoinReport rejoin(PostgresNode node, PostgresNode source, boolean allowBaseBackup) {
        return rejoin(node, node.port(), source, allowBaseBackup);
    }

    private static RejoinReport rejoin(PostgresNode node, int port, PostgresNode source, boolean allowBaseBackup) {
        Optional<String> runAs = "root".equals(System.getProperty("user.name")) ? Optional.of("postgres") : Optional.empty();
        LocalNode local = new LocalNode(node.name(), node.dataDir(), PostgresInstallation.find().bin(), runAs, node.host(), port,
                node.serverOptions(), node.dataDir().resolve("server.log"), Optional.empty());
        SourceServer server = new SourceServer(source.host(), source.port(), "postgres", "postgres");
        return new Rejoin(new RejoinSettings(local, server, allowBaseBackup, TIMEOUTS), Clock.systemUTC()).run();
    }

    private static void sql(PostgresNode node, String... statements) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String value(PostgresNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }

    private static List<Path> moveTimelineSegments(Path from, Path to, String timeline) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            List<Path> segments = files.filter(file -> file.getFileName().toString().matches(timeline + "[0-9A-F]{16}")).toList();
            for (Path segment : segments) {
                Files.move(segment, to.resolve(segment.getFileName()));
            }
            return segments;
        }
    }

    private static List<String> siblingsOf(PostgresNode node) throws IOException {
        try (Stream<Path> files = Files.list(node.dataDir().getParent())) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }
}
