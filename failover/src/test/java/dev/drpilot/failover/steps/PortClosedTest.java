package dev.drpilot.failover.steps;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Its port refuses connections" (the server is not running) against every other way of not answering: only the
 * first lets the default failover.unreachablePrimary promote. PgJDBC keeps the socket's exception as the cause.
 */
class PortClosedTest {
    record Row(String says, Throwable error, boolean portClosed) {
        @Override
        public String toString() {
            return says;
        }
    }

    private static SQLException driver(Throwable cause) {
        return new SQLException("Connection to 127.0.0.1:5432 failed", "08001", cause);
    }

    static Stream<Row> errors() {
        return Stream.of(
                new Row("connection refused (RST): nothing listens", driver(new ConnectException("Connection refused")), true),
                new Row("connect timed out (no SYN-ACK: host or network silent)", driver(new SocketTimeoutException("Connect timed out")), false),
                new Row("the kernel gave up its SYN retries", driver(new ConnectException("Connection timed out")), false),
                new Row("no route to host", driver(new NoRouteToHostException("No route to host")), false),
                new Row("accepted, then no reply (a frozen server)", driver(new SocketTimeoutException("Read timed out")), false),
                new Row("no cause at all", new SQLException("The connection attempt failed.", "08001"), false));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void tellsAClosedPortFromSilence(Row row) {
        assertThat(PostgresAdmin.portClosed(row.error())).isEqualTo(row.portClosed());
    }
}
