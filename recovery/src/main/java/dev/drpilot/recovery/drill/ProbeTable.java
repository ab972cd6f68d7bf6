package dev.drpilot.recovery.drill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The drill's table: one row per write, named by the run and a sequence number, so that a run counts its own rows and
 * removes them at the end. The name was checked to be a plain identifier when the configuration was read.
 */
final class ProbeTable {
    private final String table;

    ProbeTable(String table) {
        this.table = table;
    }

    String name() {
        return table;
    }

    void create(Connection primary) throws SQLException {
        try (Statement statement = primary.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + table
                    + " (run text NOT NULL, seq bigint NOT NULL, node text NOT NULL, written_at timestamptz NOT NULL DEFAULT now(),"
                    + " PRIMARY KEY (run, seq))");
        }
    }

    void insert(Connection connection, String run, long seq, String node) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (run, seq, node) VALUES (?, ?, ?)")) {
            insert.setString(1, run);
            insert.setLong(2, seq);
            insert.setString(3, node);
            insert.executeUpdate();
        }
    }

    boolean contains(Connection connection, String run, long seq) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM " + table + " WHERE run = ? AND seq = ?")) {
            select.setString(1, run);
            select.setLong(2, seq);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    Set<Long> sequences(Connection connection, String run) throws SQLException {
        Set<Long> present = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT seq FROM " + table + " WHERE run = ?")) {
            select.setString(1, run);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    present.add(rows.getLong(1));
                }
            }
        }
        return present;
    }

    int delete(Connection connection, String run) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE run = ?")) {
            delete.setString(1, run);
            return delete.executeUpdate();
        }
    }
}
