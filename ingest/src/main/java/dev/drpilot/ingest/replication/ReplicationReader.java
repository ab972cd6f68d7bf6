package dev.drpilot.ingest.replication;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.ingest.PostgresConnector;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.Map;

/** The SQL behind a replication observation: what a primary and a replica report about replication. */
final class ReplicationReader {
    private static final String PRIMARY_POSITION = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint END""";
    private static final String STANDBYS = """
            SELECT application_name, state, sync_state,
                   pg_wal_lsn_diff(sent_lsn, '0/0')::bigint, pg_wal_lsn_diff(write_lsn, '0/0')::bigint,
                   pg_wal_lsn_diff(flush_lsn, '0/0')::bigint, pg_wal_lsn_diff(replay_lsn, '0/0')::bigint,
                   EXTRACT(EPOCH FROM write_lag)::float8, EXTRACT(EPOCH FROM flush_lag)::float8,
                   EXTRACT(EPOCH FROM replay_lag)::float8
              FROM pg_stat_replication""";
    private static final String REPLICA = """
            SELECT pg_is_in_recovery(),
                   pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint,
                   pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint,
                   pg_last_xact_replay_timestamp(),
                   now(),
                   (SELECT status FROM pg_stat_wal_receiver LIMIT 1)""";

    private final PostgresConnector connector;

    ReplicationReader(PostgresConnector connector) {
        this.connector = connector;
    }

    /** The primary's position and standbys, or null when this node is in recovery (not a primary). */
    PrimaryView readPrimary(NodeConfig node) throws SQLException {
        try (Connection connection = connector.connect(node); Statement statement = connection.createStatement()) {
            long currentLsn;
            try (ResultSet result = statement.executeQuery(PRIMARY_POSITION)) {
                result.next();
                if (result.getBoolean(1)) {
                    return null;
                }
                currentLsn = result.getLong(2);
            }
            Map<String, PrimaryView.StandbyRow> standbys = new HashMap<>();
            try (ResultSet rows = statement.executeQuery(STANDBYS)) {
                while (rows.next()) {
                    PrimaryView.StandbyRow row = new PrimaryView.StandbyRow(rows.getString(1), rows.getString(2), rows.getString(3),
                            nullableLong(rows, 4), nullableLong(rows, 5), nullableLong(rows, 6), nullableLong(rows, 7),
                            nullableDouble(rows, 8), nullableDouble(rows, 9), nullableDouble(rows, 10));
                    standbys.put(row.applicationName(), row);
                }
            }
            return new PrimaryView(node.name(), currentLsn, standbys);
        }
    }

    ReplicaView readReplica(NodeConfig node) throws SQLException {
        try (Connection connection = connector.connect(node); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(REPLICA)) {
            result.next();
            Timestamp lastReplay = result.getTimestamp(4);
            Timestamp now = result.getTimestamp(5);
            return new ReplicaView(node.name(), result.getBoolean(1), nullableLong(result, 2), nullableLong(result, 3),
                    lastReplay == null ? null : lastReplay.toInstant(), now == null ? null : now.toInstant(), result.getString(6));
        }
    }

    private static Long nullableLong(ResultSet result, int column) throws SQLException {
        long value = result.getLong(column);
        return result.wasNull() ? null : value;
    }

    private static Double nullableDouble(ResultSet result, int column) throws SQLException {
        double value = result.getDouble(column);
        return result.wasNull() ? null : value;
    }
}
