package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.config.Secret;

import java.net.ConnectException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * The failover's connections to PostgreSQL: short connect timeouts (a dead node must fail fast,
 * not stall the runbook), and a role that may promote ({@code pg_promote} needs superuser or an
 * explicit grant) and change {@code primary_conninfo}.
 */
public final class PostgresAdmin {
    private final Duration connectTimeout;

    public PostgresAdmin(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Connection connect(NodeConfig node, Duration socketTimeout) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", node.user().orElse("postgres"));
        node.password().map(Secret::reveal).ifPresent(password -> props.setProperty("password", password));
        props.setProperty("connectTimeout", Long.toString(seconds(connectTimeout)));
        props.setProperty("loginTimeout", Long.toString(seconds(connectTimeout)));
        props.setProperty("socketTimeout", Long.toString(seconds(socketTimeout)));
        props.setProperty("ApplicationName", "drpilot-failover");
        return DriverManager.getConnection(node.effectiveJdbcUrl(), props);
    }

    /** What one node says about itself; empty when it does not answer, or answers with an error. */
    public Optional<NodeState> state(NodeConfig node) {
        return answer(node).flatMap(Answer::state);
    }

    /**
     * What one node answers when asked about itself: its state, or the error it answered with (a
     * refused login, no free connection slot, starting up: it is alive either way). Empty only when
     * it does not answer at all (refused, timed out, reset), which is what "unreachable" means.
     */
    public Optional<Answer> answer(NodeConfig node) {
        return contact(node) instanceof Answered answered ? Optional.of(answered.answer()) : Optional.empty();
    }

    /** What one node answers when asked about itself, or how it failed to answer: its port refused, or silence. */
    public Contact contact(NodeConfig node) {
        try (Connection connection = connect(node, Duration.ofSeconds(3)); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("""
                     SELECT pg_is_in_recovery(),
                            CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0') END,
                            CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')
                                 ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') END,
                            pg_last_xact_replay_timestamp(),
                            CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,
                            (SELECT status FROM pg_stat_wal_receiver LIMIT 1)
                     """)) {
            row.next();
            var replayedAt = row.getTimestamp(4);
            return new Answered(Answer.of(new NodeState(node, row.getBoolean(1), (Long) longOrNull(row, 2), row.getLong(3),
                    replayedAt == null ? null : replayedAt.toInstant(), row.getBoolean(5), row.getString(6))));
        } catch (SQLException e) {
            Optional<PostgresRefusal> refusal = PostgresRefusal.of(e);
            if (refusal.isPresent()) {
                return new Answered(Answer.refused(refusal.get()));
            }
            return new NoAnswer(portClosed(e), e.getMessage() == null ? e.toString() : e.getMessage().strip());
        }
    }

    /**
     * Whether the host actively refused the TCP connection (nothing listens on the port: the server is not running), as
     * opposed to a timeout, no route, a reset or a server that accepted and then said nothing (frozen, or cut off). PgJDBC
     * keeps the socket's {@link ConnectException} as the cause; a kernel that gave up on its own SYN retries reports
     * "Connection timed out" through the same class, which is silence.
     */
    static boolean portClosed(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException && cause.getMessage() != null && cause.getMessage().contains("refused")) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * The error of a session whose server is shutting down under it: ended by the administrator (57P01), refused as
     * shutting down (57P03), or the connection lost (class 08, or no SQLSTATE).
     */
    static boolean shutDownUnderway(SQLException error) {
        String state = error.getSQLState();
        return state == null || state.startsWith("08") || state.equals("57P01") || state.equals("57P03");
    }

    /** A node's reply to drpilot's question, or its failure to give one. */
    public sealed interface Contact permits Answered, NoAnswer {
    }

    /** It answered: its state, or the error it refused drpilot with. */
    public record Answered(Answer answer) implements Contact {
    }

    /**
     * It did not answer.
     *
     * @param portClosed its host refused the connection: nothing listens on its port
     * @param error      what the driver said
     */
    public record NoAnswer(boolean portClosed, String error) implements Contact {
    }

    private static Object longOrNull(ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /** A node's answer: exactly one of its state and the error it refused drpilot with. */
    public record Answer(Optional<NodeState> state, Optional<PostgresRefusal> refusal) {
        static Answer of(NodeState state) {
            return new Answer(Optional.of(state), Optional.empty());
        }

        static Answer refused(PostgresRefusal refusal) {
            return new Answer(Optional.empty(), Optional.of(refusal));
        }
    }

    /**
     * @param receiveLsn WAL received, bytes (replicas); null on a primary
     * @param replayLsn  WAL replayed (replicas), or the current WAL position (primary), bytes
     * @param replayedAt commit time of the last replayed transaction; null if none since start
     */
    public record NodeState(NodeConfig node, boolean inRecovery, Long receiveLsn, long replayLsn, Instant replayedAt,
                            boolean replayPaused, String walReceiverStatus) {
        /** The furthest WAL position this node has, received or replayed. */
        public long furthestLsn() {
            return receiveLsn == null ? replayLsn : Math.max(receiveLsn, replayLsn);
        }
    }
}
