package dev.drpilot.agent.rejoin;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a rejoin asks the new primary, over SQL with the same role pg_rewind uses: its state, its timeline and that
 * timeline's history (read with pg_read_binary_file, which pg_rewind itself needs on its source), the names of
 * relations by file node, and whether it sees the rejoined node in pg_stat_replication.
 */
final class NewPrimary {
    private final SourceServer server;
    private final Duration timeout;
    private final Map<Long, Optional<String>> databaseNames = new HashMap<>();

    NewPrimary(SourceServer server, Duration timeout) {
        this.server = server;
        this.timeout = timeout;
    }

    boolean inRecovery() throws SQLException {
        return "t".equals(value(server.database(), "SELECT pg_is_in_recovery()"));
    }

    /** The timeline it writes on now: the one in its current WAL file's name (the checkpoint's may lag a promotion). */
    int timeline() throws SQLException {
        return Integer.parseInt(value(server.database(), "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"), 16);
    }

    /**
     * The timeline of its latest checkpoint. Right after a promotion it is still the old one until the first
     * checkpoint, and pg_rewind reads the source's timeline from there: it would see no divergence.
     */
    int checkpointTimeline() throws SQLException {
        return Integer.parseInt(value(server.database(), "SELECT timeline_id FROM pg_control_checkpoint()"));
    }

    /** CHECKPOINT (superuser or, since PostgreSQL 15, the pg_checkpoint role). */
    void checkpoint() throws SQLException {
        try (Connection connection = connect(server.database()); PreparedStatement statement = connection.prepareStatement("CHECKPOINT")) {
            statement.execute();
        }
    }

    String systemIdentifier() throws SQLException {
        return value(server.database(), "SELECT system_identifier::text FROM pg_control_system()");
    }

    boolean fullPageWrites() throws SQLException {
        return "on".equals(value(server.database(), "SELECT current_setting('full_page_writes')"));
    }

    String history(int timeline) throws SQLException {
        String file = String.format(Locale.ROOT, "pg_wal/%08X.history", timeline);
        try (Connection connection = connect(server.database());
             PreparedStatement statement = connection.prepareStatement("SELECT pg_read_binary_file(?)")) {
            statement.setString(1, file);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return new String(result.getBytes(1), StandardCharsets.UTF_8);
            }
        }
    }

    /** {@code schema.table} of a file node on the new primary; empty when it has no such relation (any more). */
    Optional<String> relationName(RelFileNode node) throws SQLException {
        Optional<String> database = databaseName(node.database());
        if (database.isEmpty()) {
            return Optional.empty();
        }
        // pg_filenode_relation takes 0 for the database's default tablespace, as pg_class stores it.
        String sql = "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = pg_filenode_relation(CASE WHEN ?::oid = (SELECT dattablespace FROM pg_database"
                + " WHERE datname = current_database()) THEN 0 ELSE ?::oid END, ?::oid)";
        try (Connection connection = connect(database.get()); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, node.tablespace());
            statement.setLong(2, node.tablespace());
            statement.setLong(3, node.filenode());
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.ofNullable(result.getString(1)) : Optional.empty();
            }
        }
    }

    /** The state pg_stat_replication shows for {@code applicationName}; empty when it is not connected. */
    Optional<String> replicationState(String applicationName) throws SQLException {
        try (Connection connection = connect(server.database());
             PreparedStatement statement = connection.prepareStatement("SELECT state FROM pg_stat_replication WHERE application_name = ?")) {
            statement.setString(1, applicationName);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? Optional.ofNullable(result.getString(1)) : Optional.empty();
            }
        }
    }

    private Optional<String> databaseName(long oid) throws SQLException {
        Optional<String> known = databaseNames.get(oid);
        if (known != null) {
            return known;
        }
        try (Connection connection = connect(server.database());
             PreparedStatement statement = connection.prepareStatement("SELECT datname FROM pg_database WHERE oid = ?::oid")) {
            statement.setLong(1, oid);
            try (ResultSet result = statement.executeQuery()) {
                Optional<String> name = result.next() ? Optional.of(result.getString(1)) : Optional.empty();
                databaseNames.put(oid, name);
                return name;
            }
        }
    }

    private String value(String database, String sql) throws SQLException {
        try (Connection connection = connect(database); PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getString(1);
        }
    }

    private Connection connect(String database) throws SQLException {
        return Sql.connect(server.jdbcUrl(database), server.user(), timeout);
    }
}
