package dev.drpilot.ingest.replication;

import dev.drpilot.ingest.archive.ArchiveFailureLog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** Reads the failing {@code archive_command}'s error from the tail of the primary's server log, where its role may. */
final class ServerLogTail {
    /** Enough for the archiver's newest failure on a busy server: it retries (and logs) at least every minute. */
    static final int BYTES = 65_536;
    private static final String PRIVILEGE = "42501";

    private ServerLogTail() {
    }

    // What the collector's role needs to read the log: none of the three is granted to pg_monitor by default.
    static final String GRANT = "GRANT EXECUTE ON FUNCTION pg_current_logfile(), pg_stat_file(text), pg_read_file(text, bigint, bigint)"
            + " TO the collector's role";

    static ArchiveFailureLog read(Connection connection, String node, String fileQuery, String tailQuery) {
        String file;
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(fileQuery)) {
            row.next();
            file = row.getString(1);
        } catch (SQLException e) {
            return ArchiveFailureLog.notRead(Optional.empty(), why(e) + ": look in the server log of " + node);
        }
        if (file == null) {
            return ArchiveFailureLog.notRead(Optional.empty(), "logging_collector is off on " + node
                    + ": archive_command's error went to the server's stderr (the file of pg_ctl -l, journald or the container's log)");
        }
        try (PreparedStatement statement = connection.prepareStatement(tailQuery)) {
            statement.setString(1, file);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                String tail = row.getString(1);
                return ArchiveFailureLog.parse(file, tail == null ? "" : tail);
            }
        } catch (SQLException e) {
            return ArchiveFailureLog.notRead(Optional.of(file), why(e) + ": look in " + file + " in the data directory of " + node);
        }
    }

    private static String why(SQLException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        return PRIVILEGE.equals(e.getSQLState())
                ? "the collector's role may not read the server log (" + message + "; to let it: " + GRANT + ")"
                : "the server log could not be read (" + message + ")";
    }
}
