package dev.drpilot.agent.failsafe;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Reads the replica's {@code pg_stat_wal_receiver} for a failsafe answer; what it cannot read is {@link WalReceiver#unreadable}. */
final class WalReceiverReader {
    private final LocalSql sql;
    private final Duration timeout;

    WalReceiverReader(LocalSql sql, Duration timeout) {
        this.sql = sql;
        this.timeout = timeout;
    }

    WalReceiver read() throws InterruptedException {
        try {
            return sql.run(connection -> {
                try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(WalReceiver.QUERY)) {
                    if (!row.next()) {
                        return WalReceiver.none();
                    }
                    return WalReceiver.of(row.getString(1), row.getString(2), (Integer) row.getObject(3), (Long) row.getObject(4));
                }
            }, timeout);
        } catch (SQLException e) {
            return WalReceiver.unreadable(e.getMessage());
        } catch (TimeoutException e) {
            return WalReceiver.unreadable("no answer within " + timeout.toMillis() + " ms");
        }
    }
}
