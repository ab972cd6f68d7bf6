package dev.drpilot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQLSTATEs and messages are what PgJDBC 42.7 reported against a real PostgreSQL 15 (see the class comment). */
class PostgresRefusalTest {

    @ParameterizedTest(name = "{0} {1}: answered")
    @CsvSource(delimiter = '|', textBlock = """
            28P01 | FATAL: password authentication failed for user "monitor"
            28000 | FATAL: no pg_hba.conf entry for host "127.0.0.1", user "monitor", database "postgres", no encryption
            53300 | FATAL: remaining connection slots are reserved for non-replication superuser connections
            53300 | FATAL: sorry, too many clients already
            57P03 | FATAL: the database system is starting up
            57P03 | FATAL: the database system is shutting down
            3D000 | FATAL: database "orders" does not exist
            57014 | ERROR: canceling statement due to statement timeout
            08004 | The server requested SCRAM-based authentication, but no password was provided.
            08P01 | FATAL: invalid startup packet layout
            """)
    void anErrorTheServerSentIsAnAnswer(String sqlState, String message) {
        assertThat(PostgresRefusal.of(new SQLException(message, sqlState)))
                .contains(new PostgresRefusal(sqlState, message));
    }

    @ParameterizedTest(name = "{0} {1}: no answer")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            08001 | Connection to 127.0.0.1:1 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.
            08001 | Connection attempt timed out.
            08001 | The connection attempt failed.
            08006 | An I/O error occurred while sending to the backend.
            08003 | This connection has been closed.
            08007 | Connection failure during transaction.
            null  | No suitable driver found for jdbc:postgresql://pg-1:5432/postgres
            """)
    void anErrorTheDriverMadeUpForALostServerIsNoAnswer(String sqlState, String message) {
        assertThat(PostgresRefusal.of(new SQLException(message, sqlState))).isEmpty();
    }

    @Test
    void theMessageIsKeptOnOneLine() {
        SQLException error = new SQLException("FATAL: the database system is not yet accepting connections\n  Detail: Consistent recovery state has not been yet reached.", "57P03");
        assertThat(PostgresRefusal.of(error).orElseThrow().describe())
                .isEqualTo("SQLSTATE 57P03: FATAL: the database system is not yet accepting connections Detail: Consistent recovery state has not been yet reached.");
    }
}
