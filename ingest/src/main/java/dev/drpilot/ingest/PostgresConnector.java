package dev.drpilot.ingest;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Secret;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * Opens monitoring connections with strict timeouts: a hung or black-holed server must fail the
 * read within seconds, never block a collector. The role needs {@code pg_monitor} to see every
 * column of {@code pg_stat_replication}.
 */
public final class PostgresConnector {
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private final Duration statementTimeout;

    public PostgresConnector(Duration connectTimeout, Duration socketTimeout, Duration statementTimeout) {
        this.connectTimeout = connectTimeout;
        this.socketTimeout = socketTimeout;
        this.statementTimeout = statementTimeout;
    }

    public Connection connect(NodeConfig node) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", node.user().orElse("postgres"));
        node.password().map(Secret::reveal).ifPresent(password -> props.setProperty("password", password));
        // The driver takes whole seconds; round up so a 1.5s budget is not cut to 1s.
        props.setProperty("connectTimeout", Long.toString(seconds(connectTimeout)));
        props.setProperty("loginTimeout", Long.toString(seconds(connectTimeout)));
        props.setProperty("socketTimeout", Long.toString(seconds(socketTimeout)));
        props.setProperty("options", "-c statement_timeout=" + statementTimeout.toMillis());
        props.setProperty("ApplicationName", "drpilot");
        props.setProperty("readOnly", "true");
        return DriverManager.getConnection(node.effectiveJdbcUrl(), props);
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
