package dev.drpilot.localpg;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The harness itself, against real servers: replication, paused replay, a frozen, a killed and a restarted primary. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresClusterIT {
    private static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = PostgresCluster.start("harness", 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void replicasStreamFromThePrimaryAndReportTheirRoles() throws Exception {
        assertThat(cluster.primary().isInRecovery()).isFalse();
        assertThat(cluster.replica(0).isInRecovery()).isTrue();
        assertThat(cluster.replica(1).isInRecovery()).isTrue();
        assertThat(queryString(cluster.primary(), "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM pg_stat_replication"))
                .isEqualTo("harness-2,harness-3");

        cluster.primary().writeRows(100);
        cluster.awaitCaughtUp(Duration.ofSeconds(30));
        assertThat(queryString(cluster.replica(1), "SELECT count(*) FROM drpilot_load")).isEqualTo("100");
    }

    @Test
    @Order(2)
    void pausedReplayLeavesTheReplicaBehindUntilResumed() throws Exception {
        PostgresNode replica = cluster.replica(0);
        replica.pauseReplay();
        cluster.primary().writeRows(2_000);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Long.parseLong(queryString(replica, "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint")) > 0);

        replica.resumeReplay();
        cluster.awaitCaughtUp(Duration.ofSeconds(30));
        assertThat(queryString(replica, "SELECT count(*) FROM drpilot_load")).isEqualTo("2100");
    }

    @Test
    @Order(3)
    void aFrozenPrimaryHoldsItsPortButAnswersNothingUntilThawed() throws Exception {
        PostgresNode primary = cluster.primary();
        primary.freeze();
        try {
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("connectTimeout", "1");
            props.setProperty("socketTimeout", "1");
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(primary.jdbcUrl(), props).close())
                    .isInstanceOf(SQLException.class);
        } finally {
            primary.thaw();
        }
        assertThat(primary.isInRecovery()).isFalse();
    }

    /**
     * Backends come and go while a freeze lists them (a probe's connection closing): one that is gone before its
     * signal must not fail the freeze, and nothing may stay stopped after the thaw. HealthProbesIT failed in CI on
     * exactly this ("kill -STOP: No such process"), leaving the postmaster stopped for the next test.
     */
    @Test
    @Order(3)
    void freezingWhileConnectionsComeAndGoNeverFailsAndTheThawResumesEverything() throws Exception {
        PostgresNode primary = cluster.primary();
        java.util.concurrent.atomic.AtomicBoolean churning = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread churn = new Thread(() -> {
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("connectTimeout", "1");
            props.setProperty("socketTimeout", "1");
            while (churning.get()) {
                try (Connection connection = java.sql.DriverManager.getConnection(primary.jdbcUrl(), props)) {
                    connection.isValid(1);
                } catch (SQLException frozenMeanwhile) {
                    // expected while frozen
                }
            }
        }, "connection-churn");
        churn.start();
        try {
            for (int i = 0; i < 20; i++) {
                primary.freeze();
                primary.thaw();
            }
        } finally {
            churning.set(false);
            churn.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(primary.isInRecovery()).isFalse();
    }

    @Test
    @Order(4)
    void aKilledPrimaryRefusesConnectionsAndRestartsWithItsData() throws Exception {
        PostgresNode primary = cluster.primary();
        primary.kill();
        assertThat(primary.isRunning()).isFalse();
        assertThatThrownBy(() -> primary.connect().close()).isInstanceOf(SQLException.class);

        primary.start();
        assertThat(queryString(primary, "SELECT count(*) FROM drpilot_load")).isEqualTo("2100");
        cluster.awaitStreaming(Duration.ofSeconds(60));
    }

    @Test
    @Order(5)
    void anImmediateStopThenAPromotionMakesAReplicaThePrimary() throws Exception {
        cluster.primary().stopImmediately();
        PostgresNode replica = cluster.replica(1);
        assertThat(queryString(replica, "SELECT pg_promote(true, 30)")).isEqualTo("t");
        assertThat(replica.isInRecovery()).isFalse();
        replica.writeRows(1);
    }

    private static String queryString(PostgresNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }
}
