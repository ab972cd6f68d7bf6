package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.StepFailedException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A hard fence of a primary that answers, over SQL only: {@code standby.signal} is written into its data directory and
 * its postmaster is sent SIGINT (a fast shutdown: sessions end, a shutdown checkpoint, the WAL sent to the standbys). Started
 * again as it was, by hand, a service manager or a restarted host, it comes up in recovery: a standby that no session can
 * make commit a write ({@code BEGIN READ WRITE} fails with SQLSTATE 25006) until an operator removes the file. The step
 * ends only once the node no longer answers as a writable primary.
 *
 * <p>Needs, for drpilot's role on the node, superuser or all of {@code pg_read_all_settings} (to read
 * {@code data_directory}), {@code pg_write_server_files} (to write the file) and {@code pg_execute_server_program} (to
 * signal the postmaster, via {@code COPY ... TO PROGRAM}). Without them nothing is
 * changed and the demotion fails naming the missing grant: there is no weaker fence to fall back to.
 */
public final class PostgresDemotion {
    // data_directory is shown to superusers and pg_read_all_settings only.
    static final List<String> GRANTS = List.of("pg_read_all_settings", "pg_write_server_files", "pg_execute_server_program");

    private static final Duration SIGNAL_GRACE = Duration.ofSeconds(5);

    private final PostgresAdmin admin;
    private final Clock clock;

    public PostgresDemotion(PostgresAdmin admin, Clock clock) {
        this.admin = admin;
        this.clock = clock;
    }

    /** Demotes {@code node} and waits until it no longer answers as a writable primary; {@code detail} for the record. */
    public String demote(NodeConfig node, Duration timeout) throws StepFailedException, InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        Optional<String> signalError;
        try (Connection connection = admin.connect(node, timeout); Statement statement = connection.createStatement()) {
            if (inRecovery(statement)) {
                return node.name() + " is already in recovery: not a writable primary";
            }
            requireGrants(node, statement);
            String dataDirectory = dataDirectory(node, statement);
            statement.execute("COPY (SELECT '') TO " + literal(dataDirectory + "/standby.signal"));
            signalError = signalPostmaster(statement, dataDirectory);
        } catch (SQLException e) {
            throw new StepFailedException("could not demote " + node.name() + ": " + e.getMessage()
                    + " (nothing weaker was tried: a setting a session can undo is no fence)", e);
        }
        return node.name() + " demoted: standby.signal written into its data directory and the server shut down ("
                + awaitNotWritable(node, deadline, signalError) + "); started again it comes up in recovery and takes no writes";
    }

    private static boolean inRecovery(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    private static void requireGrants(NodeConfig node, Statement statement) throws SQLException, StepFailedException {
        List<String> missing = new ArrayList<>();
        String role;
        try (ResultSet row = statement.executeQuery("""
                SELECT current_user, pg_has_role(current_user, 'pg_read_all_settings', 'USAGE'),
                       pg_has_role(current_user, 'pg_write_server_files', 'USAGE'),
                       pg_has_role(current_user, 'pg_execute_server_program', 'USAGE')""")) {
            row.next();
            role = row.getString(1);
            for (int i = 0; i < GRANTS.size(); i++) {
                if (!row.getBoolean(i + 2)) {
                    missing.add(GRANTS.get(i));
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new StepFailedException("could not demote " + node.name() + ": drpilot's role " + role + " lacks " + String.join(", ", missing)
                    + " (GRANT " + String.join(", ", missing) + " TO " + role + ", or make it a superuser); nothing was changed, and nothing"
                    + " weaker was tried: a setting a session can undo is no fence");
        }
    }

    private static String dataDirectory(NodeConfig node, Statement statement) throws SQLException, StepFailedException {
        String directory;
        try (ResultSet row = statement.executeQuery("SHOW data_directory")) {
            row.next();
            directory = row.getString(1);
        }
        // Quoted once for SQL and once for the shell below: a path that needs more than that is refused, not guessed at.
        if (directory == null || !directory.startsWith("/") || directory.contains("'") || directory.contains("\\")) {
            throw new StepFailedException("could not demote " + node.name() + ": its data_directory " + directory + " is not a plain absolute path");
        }
        return directory;
    }

    /**
     * SIGINT to the postmaster (its pid is the first line of {@code postmaster.pid}): a fast shutdown. The shutdown ends this
     * session, and signals the shell of the program too (it runs in the backend's process group), so an error here may only
     * mean that the shutdown is under way: whether it worked is judged by what the node answers next. What the program's error
     * said, when it may have failed for itself.
     */
    private static Optional<String> signalPostmaster(Statement statement, String dataDirectory) {
        String program = "kill -INT \"$(head -n 1 '" + dataDirectory + "/postmaster.pid')\"";
        try {
            statement.execute("COPY (SELECT 1) TO PROGRAM " + literal(program));
            return Optional.empty();
        } catch (SQLException e) {
            boolean shutDown = PostgresAdmin.shutDownUnderway(e) || String.valueOf(e.getMessage()).contains("terminated by signal");
            return shutDown ? Optional.empty() : Optional.of(String.valueOf(e.getMessage()).strip().replaceAll("\\s+", " "));
        }
    }

    private String awaitNotWritable(NodeConfig node, Instant deadline, Optional<String> signalError) throws StepFailedException, InterruptedException {
        // A signal that failed for itself is given a short while (the server may be going down all the same), not the step's timeout.
        Instant until = signalError.isPresent() && deadline.isAfter(clock.instant().plus(SIGNAL_GRACE)) ? clock.instant().plus(SIGNAL_GRACE) : deadline;
        while (true) {
            PostgresAdmin.Contact contact = admin.contact(node);
            if (contact instanceof PostgresAdmin.NoAnswer) {
                return "it no longer answers";
            }
            if (contact instanceof PostgresAdmin.Answered answered && answered.answer().state().map(PostgresAdmin.NodeState::inRecovery).orElse(false)) {
                return "it answers in recovery";
            }
            if (clock.instant().isAfter(until)) {
                throw new StepFailedException("could not demote " + node.name() + ": standby.signal is written but the server did not shut down"
                        + signalError.map(error -> " (signalling the postmaster failed: " + error + ")").orElse("") + "; it still answers ("
                        + describe(contact) + ") and takes writes until it is restarted");
            }
            Thread.sleep(100);   // a remote server shutting down: polled
        }
    }

    private static String describe(PostgresAdmin.Contact contact) {
        if (contact instanceof PostgresAdmin.Answered answered) {
            return answered.answer().refusal().map(refusal -> refusal.describe()).orElse("as a writable primary");
        }
        return "no answer";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
