package dev.drpilot.agent.failsafe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A tiny committed transaction on the primary just before a failsafe question: a replica confirms only a primary it heard
 * from within the renew interval, and an idle primary sends its replicas nothing for up to half of
 * {@code wal_receiver_timeout}. The commit record reaches every streaming replica at once. {@code synchronous_commit =
 * local}: it must not wait for a synchronous standby that may be the one missing. Best effort: a heartbeat that fails is
 * logged, and the question goes out anyway (a busy primary needs none).
 */
final class WalHeartbeat {
    private static final Logger log = LoggerFactory.getLogger(WalHeartbeat.class);

    private final LocalSql sql;
    private final Duration timeout;

    WalHeartbeat(LocalSql sql, Duration timeout) {
        this.sql = sql;
        this.timeout = timeout;
    }

    void beat() throws InterruptedException {
        try {
            sql.run(WalHeartbeat::commitOne, timeout);
        } catch (SQLException | TimeoutException e) {
            log.debug("failsafe heartbeat not written: {}", e.toString());
        }
    }

    private static Void commitOne(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL synchronous_commit = local");
            statement.execute("SELECT txid_current()");
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
        return null;
    }
}
