package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The agent's query to its own server over loopback: {@code pg_is_in_recovery()} and the timeline. The query runs on a
 * thread of its own and is waited for {@code queryTimeout}: the JDBC driver's timeouts count whole seconds, and a
 * frozen server must be "not answering" within the check interval. While a query hangs, further asks answer at once
 * that the server does not answer, instead of piling up threads.
 */
final class LocalServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalServer.class);
    // Broken connections: PostgreSQL's class 08, and the driver's own I/O failure.
    private static final String CONNECTION_CLASS = "08";

    private final AgentSettings settings;
    private final NanoClock clock;
    private final ExecutorService executor;
    private Connection connection;
    private Future<LocalAnswer> inFlight;

    LocalServer(AgentSettings settings, NanoClock clock, String threadName) {
        this.settings = settings;
        this.clock = clock;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Asks the server; never takes much longer than {@code queryTimeout}. */
    synchronized LocalAnswer ask() {
        long start = clock.nanoTime();
        if (inFlight == null || inFlight.isDone()) {
            inFlight = executor.submit(this::query);
        }
        try {
            return inFlight.get(settings.queryTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return LocalAnswer.noAnswer("no answer within " + settings.queryTimeout().toMillis() + " ms", millisSince(start));
        } catch (ExecutionException e) {
            return LocalAnswer.noAnswer(String.valueOf(e.getCause()), millisSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LocalAnswer.noAnswer("interrupted", millisSince(start));
        }
    }

    private LocalAnswer query() {
        long start = clock.nanoTime();
        try {
            if (connection == null || connection.isClosed()) {
                connection = connect();
            }
            boolean inRecovery;
            try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                result.next();
                inRecovery = result.getBoolean(1);
            }
            return LocalAnswer.role(inRecovery, timeline(), millisSince(start));
        } catch (SQLException e) {
            closeConnection();
            String state = e.getSQLState();
            if (state == null || state.startsWith(CONNECTION_CLASS)) {
                return LocalAnswer.noAnswer(e.getMessage(), millisSince(start));
            }
            return LocalAnswer.error(state, e.getMessage(), millisSince(start));
        }
    }

    private OptionalLong timeline() {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT timeline_id FROM pg_control_checkpoint()")) {
            return result.next() ? OptionalLong.of(result.getLong(1)) : OptionalLong.empty();
        } catch (SQLException e) {
            // Not granted to this role: the lease names no timeline, which is only information.
            log.debug("timeline unreadable: {}", e.getMessage());
            return OptionalLong.empty();
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        settings.password().map(Secret::reveal).ifPresent(password -> props.setProperty("password", password));
        // Whole seconds: the wait in ask() is what bounds a check; these only free the query thread in the end.
        long seconds = Math.max(1, (settings.queryTimeout().toMillis() + 999) / 1000);
        props.setProperty("connectTimeout", Long.toString(seconds));
        props.setProperty("socketTimeout", Long.toString(seconds * 5));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "drpilot-agent");
        return DriverManager.getConnection(settings.jdbcUrl(), props);
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing a broken local connection: {}", e.getMessage());
            }
            connection = null;
        }
    }

    private long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        closeConnection();
    }
}
