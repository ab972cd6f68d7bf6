package dev.drpilot.config;

import java.sql.SQLException;
import java.util.Optional;

/**
 * An error a PostgreSQL server answered with — a refused login (28P01, 28000), no free connection
 * slot (53300), starting up or shutting down (57P03), a missing database (3D000), ... — as opposed
 * to no answer at all (connection refused, timed out, reset, a frozen server). A server that
 * refuses is alive: it may still be serving the sessions it has, so it must never be taken for a
 * dead one (failing over a primary that still takes writes is a split brain). The collectors and
 * the failover steps both tell the two apart here, so they cannot disagree about it.
 *
 * <p>PgJDBC makes up the SQLSTATEs of class 08 itself when it cannot reach or keep the server
 * (checked against PostgreSQL 15 with PgJDBC 42.7: refused and unknown host are 08001, a login
 * timeout against a frozen server 08001, a read timeout or a reset mid-session 08006, a reset or
 * close during start-up 08001), with no SQLSTATE at all for some I/O failures. Every other
 * SQLSTATE is the server's own answer. The exceptions in class 08: 08004, which the driver uses
 * when the server answered the handshake with a demand it cannot meet (a password it was not
 * given, SSL the server lacks), and 08P01, a protocol violation reported by the server. When in
 * doubt the error counts as an answer: taking a live primary for dead is the worse mistake.
 *
 * @param sqlState the SQLSTATE, e.g. {@code 28P01}
 * @param message  the server's message on one line, e.g. {@code FATAL: password authentication failed for user "monitor"}
 */
public record PostgresRefusal(String sqlState, String message) {

    /** The answer in {@code error}, or empty when the error says the server did not answer. */
    public static Optional<PostgresRefusal> of(SQLException error) {
        String state = error.getSQLState();
        if (state == null || state.length() != 5 || (state.startsWith("08") && !state.equals("08004") && !state.equals("08P01"))) {
            return Optional.empty();
        }
        String message = error.getMessage() == null ? "" : error.getMessage().strip().replaceAll("\\s+", " ");
        return Optional.of(new PostgresRefusal(state, message));
    }

    /** e.g. {@code SQLSTATE 53300: FATAL: sorry, too many clients already}. */
    public String describe() {
        return "SQLSTATE " + sqlState + ": " + message;
    }
}
