package dev.drpilot.agent.failsafe;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.Secret;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to the agent's own server for failsafe mode's queries, each run on a thread of its own and waited for
 * no longer than it is given (the driver's timeouts count whole seconds; a failsafe answer is due within half a renew
 * interval). A query that fails or overruns drops the connection; the next one connects again.
 */
final class LocalSql implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalSql.class);
    /** Work on the connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final AgentSettings settings;
    private final ExecutorService executor;
    private Connection connection;

    LocalSql(AgentSettings settings, String threadName) {
        this.settings = settings;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code work}; an SQLException names what failed, a TimeoutException that it took longer than {@code timeout}. */
    synchronized <T> T run(Work<T> work, Duration timeout) throws SQLException, TimeoutException, InterruptedException {
        Future<T> result = executor.submit(() -> {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = connect();
                }
                return work.run(connection);
            } catch (SQLException e) {
                closeConnection();
                throw e;
            }
        });
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            executor.execute(this::closeConnection);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        settings.password().map(Secret::reveal).ifPresent(password -> props.setProperty("password", password));
        props.setProperty("connectTimeout", "1");
        props.setProperty("socketTimeout", "5");
        props.setProperty("ApplicationName", "drpilot-agent-failsafe");
        return DriverManager.getConnection(settings.jdbcUrl(), props);
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing a broken failsafe connection: {}", e.getMessage());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        closeConnection();
    }
}
