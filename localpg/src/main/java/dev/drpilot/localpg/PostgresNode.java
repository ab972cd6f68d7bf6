package dev.drpilot.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One real PostgreSQL server started by the tests, with the ways a server fails in production:
 * stopped hard, killed, frozen (a hung server that still holds its port), replay paused.
 */
public final class PostgresNode {
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(60);

    private final PostgresInstallation installation;
    private final String name;
    private final Path dataDir;
    private final int port;
    private final List<Long> frozen = new ArrayList<>();

    PostgresNode(PostgresInstallation installation, String name, Path dataDir, int port) {
        this.installation = installation;
        this.name = name;
        this.dataDir = dataDir;
        this.port = port;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * The Unix-socket directory, beside the data directory rather than in it: pg_rewind copies a source's data
     * directory file by file through SQL and fails on a socket file there ("could not open file .s.PGSQL..."). Named
     * after the port, short: a socket's path may not exceed 107 bytes, and the cluster's directory already carries its name.
     */
    public Path socketDir() {
        return dataDir.resolveSibling("s" + port);
    }

    /** The options {@link #start()} passes to the server ({@code pg_ctl -o}): port, socket directory, listen address, name. */
    public String serverOptions() {
        return "-p " + port + " -k " + socketDir() + " -c listen_addresses=127.0.0.1 -c cluster_name=" + name;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** A superuser connection (trust authentication on loopback). */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** Starts (or restarts after a stop) the server and waits until it accepts connections. */
    public void start() {
        try {
            installation.newDirectory(socketDir().getParent(), socketDir().getFileName().toString());
            installation.pg(PG_CTL_TIMEOUT, "pg_ctl", "-D", dataDir.toString(), "-l", dataDir.resolve("server.log").toString(),
                    "-o", serverOptions(), "-w", "-t", "60", "start");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL node " + name + "; server log:\n" + serverLog(), e);
        }
    }

    /** A clean shutdown. */
    public void stop() {
        pgCtlStop("fast");
    }

    /** {@code pg_ctl -m immediate stop}: the server dies without a checkpoint, as in a crash. */
    public void stopImmediately() {
        pgCtlStop("immediate");
    }

    /** {@code kill -9} of the postmaster: the way an OOM killer or a dead host ends it. */
    public void kill() {
        try {
            long pid = postmasterPid();
            thaw();
            PostgresInstallation.signal(pid, "KILL");
            // Wait for the postmaster to be gone, so the port is free for a restart.
            ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            // A killed postmaster leaves its pid file, which makes the next pg_ctl start refuse; remove it as a restart would.
            Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGSTOP to the postmaster and every backend: the server holds its port but answers nothing (a hung host).
     * The postmaster stops first, so it forks no new backend meanwhile; a backend that exits between the listing and
     * its signal (a probe's connection closing) is simply gone, not an error. Each stopped process is remembered at
     * once, so {@link #thaw()} resumes whatever was stopped even if a later signal fails.
     */
    public void freeze() {
        try {
            long pid = postmasterPid();
            PostgresInstallation.signal(pid, "STOP");
            frozen.add(pid);
            List<ProcessHandle> children = ProcessHandle.of(pid).map(handle -> handle.children().toList()).orElse(List.of());
            for (ProcessHandle child : children) {
                try {
                    PostgresInstallation.signal(child.pid(), "STOP");
                    frozen.add(child.pid());
                } catch (IOException e) {
                    if (child.isAlive()) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            thaw();
            throw new UncheckedIOException(e);
        }
    }

    /** SIGCONT to what {@link #freeze()} stopped. */
    public void thaw() {
        try {
            for (long process : List.copyOf(frozen)) {
                try {
                    PostgresInstallation.signal(process, "CONT");
                } catch (IOException e) {
                    if (ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false)) {
                        throw e;
                    }
                }
                frozen.remove(Long.valueOf(process));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isRunning() {
        try {
            return ProcessHandle.of(postmasterPid()).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code pg_wal_replay_pause()} on a replica: it keeps receiving WAL but stops applying it. */
    public void pauseReplay() throws SQLException {
        execute("SELECT pg_wal_replay_pause()");
    }

    public void resumeReplay() throws SQLException {
        execute("SELECT pg_wal_replay_resume()");
    }

    /** Writes {@code rows} rows of about 100 bytes each in one transaction (on a primary). */
    public void writeRows(int rows) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS drpilot_load (id bigserial PRIMARY KEY, payload text, at timestamptz DEFAULT now())");
            statement.execute("INSERT INTO drpilot_load (payload) SELECT repeat(md5(g::text), 3) FROM generate_series(1, " + rows + ") g");
        }
    }

    public boolean isInRecovery() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            result.next();
            return result.getBoolean(1);
        }
    }

    public void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    public String serverLog() {
        try {
            Path log = dataDir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "(no server log)";
        } catch (IOException e) {
            return "(server log unreadable: " + e.getMessage() + ")";
        }
    }

    private void pgCtlStop(String mode) {
        thaw();
        try {
            installation.pg(PG_CTL_TIMEOUT, "pg_ctl", "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60", "stop");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL node " + name, e);
        }
    }

    private long postmasterPid() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            throw new IOException("node " + name + " is not running (no postmaster.pid)");
        }
        return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    }

    @Override
    public String toString() {
        return name + "@127.0.0.1:" + port;
    }
}
