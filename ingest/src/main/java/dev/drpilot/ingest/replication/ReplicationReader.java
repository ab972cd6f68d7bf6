package dev.drpilot.ingest.replication;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.ingest.archive.ArchiverReading;
import dev.drpilot.ingest.PostgresConnector;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The SQL behind a replication observation: what a primary and a replica report about replication, and the primary about archiving. */
final class ReplicationReader {
    // A primary's timeline is the first 8 hex digits of its current WAL file's name: exact at once after a promotion, where
    // pg_control_checkpoint() keeps the old timeline until the next checkpoint (and is not granted to pg_monitor).
    private static final String WRITING_TIMELINE = "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint";
    private static final String PRIMARY_POSITION = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint END,
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE %s END""".formatted(WRITING_TIMELINE);
    private static final String STANDBYS = """
            SELECT application_name, state, sync_state,
                   pg_wal_lsn_diff(sent_lsn, '0/0')::bigint, pg_wal_lsn_diff(write_lsn, '0/0')::bigint,
                   pg_wal_lsn_diff(flush_lsn, '0/0')::bigint, pg_wal_lsn_diff(replay_lsn, '0/0')::bigint,
                   EXTRACT(EPOCH FROM write_lag)::float8, EXTRACT(EPOCH FROM flush_lag)::float8,
                   EXTRACT(EPOCH FROM replay_lag)::float8
              FROM pg_stat_replication""";
    // The insert position, not the write position: WAL not yet written out is still WAL the archive does not have. The
    // snapshot tells whether any transaction that writes data was under way, and whether one began since (ArchiveProgress).
    private static final String ARCHIVER = """
            SELECT current_setting('archive_mode'),
                   (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'),
                   pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint,
                   last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time,
                   pg_snapshot_xmax(snap.s)::text::bigint, pg_snapshot_xmin(snap.s) = pg_snapshot_xmax(snap.s)
              FROM pg_stat_archiver, LATERAL (SELECT pg_current_snapshot() AS s) snap""";
    // The tail of the current server log: archive_command's own error is written only there. pg_current_logfile() is NULL
    // without the logging collector; all three functions need EXECUTE granted (they are revoked from PUBLIC) or a superuser.
    private static final String LOG_FILE = "SELECT pg_current_logfile()";
    private static final String LOG_TAIL = "SELECT pg_read_file(f, greatest((pg_stat_file(f)).size - " + ServerLogTail.BYTES + ", 0), "
            + ServerLogTail.BYTES + ") FROM (SELECT ?::text AS f) AS log";
    // sender_host and sender_port are NULL unless the role may read all statistics (pg_read_all_stats, in pg_monitor).
    private static final String REPLICA = """
            SELECT pg_is_in_recovery(),
                   pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint,
                   pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint,
                   pg_last_xact_replay_timestamp(),
                   now(),
                   receiver.status,
                   CASE WHEN pg_is_in_recovery() THEN receiver.received_tli::bigint ELSE %s END,
                   receiver.sender_host,
                   receiver.sender_port
              FROM (SELECT 1) AS one LEFT JOIN (SELECT * FROM pg_stat_wal_receiver LIMIT 1) AS receiver ON true""".formatted(WRITING_TIMELINE);

    private final PostgresConnector connector;

    ReplicationReader(PostgresConnector connector) {
        this.connector = connector;
    }

    /** The primary's position and standbys, or null when this node is in recovery (not a primary). */
    PrimaryView readPrimary(NodeConfig node) throws SQLException {
        try (Connection connection = connector.connect(node); Statement statement = connection.createStatement()) {
            long currentLsn;
            Long timeline;
            try (ResultSet result = statement.executeQuery(PRIMARY_POSITION)) {
                result.next();
                if (result.getBoolean(1)) {
                    return null;
                }
                currentLsn = result.getLong(2);
                timeline = nullableLong(result, 3);
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
            ArchiverReading archiver;
            try (ResultSet row = statement.executeQuery(ARCHIVER)) {
                row.next();
                archiver = new ArchiverReading(node.name(), row.getLong(3), row.getLong(2), row.getString(1),
                        Optional.ofNullable(row.getString(4)), instant(row, 5), row.getLong(6), Optional.ofNullable(row.getString(7)),
                        instant(row, 8), row.getLong(9), row.getBoolean(10));
            }
            if (archiver.failing()) {
                archiver = archiver.withFailureLog(ServerLogTail.read(connection, node.name(), LOG_FILE, LOG_TAIL));
            }
            return new PrimaryView(node.name(), currentLsn, timeline, standbys, Optional.of(archiver));
        }
    }

    ReplicaView readReplica(NodeConfig node) throws SQLException {
        try (Connection connection = connector.connect(node); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(REPLICA)) {
            result.next();
            Timestamp lastReplay = result.getTimestamp(4);
            Timestamp now = result.getTimestamp(5);
            String senderHost = result.getString(8);
            int senderPort = result.getInt(9);
            Optional<String> sender = senderHost == null || result.wasNull() ? Optional.empty() : Optional.of(senderHost + ":" + senderPort);
            return new ReplicaView(node.name(), result.getBoolean(1), nullableLong(result, 2), nullableLong(result, 3),
                    lastReplay == null ? null : lastReplay.toInstant(), now == null ? null : now.toInstant(), result.getString(6),
                    nullableLong(result, 7), sender);
        }
    }

    private static Optional<Instant> instant(ResultSet result, int column) throws SQLException {
        return Optional.ofNullable(result.getTimestamp(column)).map(Timestamp::toInstant);
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
