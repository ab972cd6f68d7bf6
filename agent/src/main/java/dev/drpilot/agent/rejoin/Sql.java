package dev.drpilot.agent.rejoin;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** A JDBC connection bounded in time: connecting and every read wait at most {@code timeout}. */
final class Sql {
    private Sql() {
    }

    static Connection connect(String url, String user, Duration timeout) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("connectTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        props.setProperty("socketTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        props.setProperty("ApplicationName", "drpilot-rejoin");
        return DriverManager.getConnection(url, props);
    }

    /** Connection failures (SQLSTATE class 08) and timeouts may pass; anything else is an answer. */
    static boolean retriable(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }
}
