package dev.drpilot.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A real PostgreSQL primary with N streaming replicas ({@code pg_basebackup -R -X stream}), each
 * on a loopback port (a free one unless given), in a temporary directory removed on
 * {@link #close()}. Built from the installed server binaries; nothing is mocked. The tests use it,
 * and so does {@code drpilot demo}: the servers favour speed over durability ({@code fsync=off}).
 *
 * <pre>{@code
 * try (PostgresCluster cluster = PostgresCluster.start("orders", 2)) {
 *     cluster.primary().writeRows(1000);
 *     cluster.awaitCaughtUp(Duration.ofSeconds(30));
 *     cluster.replica(0).pauseReplay();
 * }
 * }</pre>
 */
public final class PostgresCluster implements AutoCloseable {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

    private final Path root;
    private final PostgresNode primary;
    private final List<PostgresNode> replicas;

    private PostgresCluster(Path root, PostgresNode primary, List<PostgresNode> replicas) {
        this.root = root;
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
    }

    /** One server to start: its name ({@code cluster_name}) and loopback port (0: a free one). */
    public record NodeSpec(String name, int port) {
    }

    /** Nodes are named {@code <name>-1} (the primary), {@code <name>-2}, ... (replicas), each on a free port. */
    public static PostgresCluster start(String name, int replicaCount) {
        return start(name, replicaCount, false);
    }

    /**
     * As {@link #start(String, int)}; {@code rewindable}: initialised with {@code wal_log_hints = on} and
     * {@code full_page_writes = on}, which {@code pg_rewind} needs (the default harness turns full-page writes off
     * for speed and leaves hint bits unlogged, so an old primary of it can only be rebuilt, not rewound).
     */
    public static PostgresCluster start(String name, int replicaCount, boolean rewindable) {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 1; i <= replicaCount + 1; i++) {
            nodes.add(new NodeSpec(name + "-" + i, 0));
        }
        return start(name, nodes, rewindable);
    }

    /**
     * The first of {@code nodes} is the primary, the others its replicas. A given port that is
     * taken fails here, naming the node and the port, before anything is started.
     */
    public static PostgresCluster start(String name, List<NodeSpec> nodes) {
        return start(name, nodes, false);
    }

    private static PostgresCluster start(String name, List<NodeSpec> nodes, boolean rewindable) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("cluster " + name + " needs at least a primary");
        }
        for (NodeSpec node : nodes) {
            if (node.port() != 0 && !portIsFree(node.port())) {
                throw new IllegalStateException("cannot start PostgreSQL node " + node.name() + ": port " + node.port()
                        + " on 127.0.0.1 is in use (another PostgreSQL, or a demo still running?)");
            }
        }
        PostgresInstallation installation = PostgresInstallation.find();
        Path root;
        try {
            root = Files.createTempDirectory("drpilot-pg-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<PostgresNode> started = new ArrayList<>();
        try {
            PostgresNode primary = initPrimary(installation, root, nodes.get(0), rewindable);
            started.add(primary);
            List<PostgresNode> replicas = new ArrayList<>();
            for (NodeSpec spec : nodes.subList(1, nodes.size())) {
                PostgresNode replica = cloneReplica(installation, root, spec, primary);
                started.add(replica);
                replicas.add(replica);
            }
            PostgresCluster cluster = new PostgresCluster(root, primary, replicas);
            cluster.awaitStreaming(SETUP_TIMEOUT);
            return cluster;
        } catch (IOException | RuntimeException e) {
            started.forEach(PostgresCluster::stopQuietly);
            deleteQuietly(root);
            throw new IllegalStateException("cannot start PostgreSQL cluster " + name + ": " + e.getMessage(), e);
        }
    }

    private static PostgresNode initPrimary(PostgresInstallation installation, Path root, NodeSpec spec, boolean rewindable) throws IOException {
        Path dataDir = installation.newDirectory(root, spec.name());
        installation.pg(SETUP_TIMEOUT, "initdb", "-D", dataDir.toString(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
        Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n",
                "",
                "# drpilot test harness",
                "wal_level = replica",
                "max_wal_senders = 10",
                "max_replication_slots = 10",
                "hot_standby = on",
                "wal_keep_size = 256MB",
                // Tests need speed, not durability: a crash test stops the server, not the machine.
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = " + (rewindable ? "on" : "off"),
                "wal_log_hints = " + (rewindable ? "on" : "off"),
                "shared_buffers = 32MB",
                "max_connections = 40",
                "wal_receiver_status_interval = 1s",
                "track_commit_timestamp = on",
                // Autovacuum and autoanalyze commit transactions of their own every minute; without
                // them an idle primary is really idle, which the idle-lag tests depend on.
                "autovacuum = off",
                ""), StandardOpenOption.APPEND);
        Files.writeString(dataDir.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host all all 127.0.0.1/32 trust",
                "local replication all trust",
                "host replication all 127.0.0.1/32 trust",
                ""));
        PostgresNode primary = new PostgresNode(installation, spec.name(), dataDir, portFor(spec));
        primary.start();
        return primary;
    }

    private static PostgresNode cloneReplica(PostgresInstallation installation, Path root, NodeSpec spec, PostgresNode primary) throws IOException {
        Path dataDir = root.resolve(spec.name());
        installation.pg(SETUP_TIMEOUT, "pg_basebackup", "-h", primary.host(), "-p", Integer.toString(primary.port()),
                "-U", "postgres", "-D", dataDir.toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync");
        PostgresNode replica = new PostgresNode(installation, spec.name(), dataDir, portFor(spec));
        replica.start();
        return replica;
    }

    /** Waits until every replica is in the primary's pg_stat_replication with state streaming. */
    public void awaitStreaming(Duration timeout) {
        poll("every replica of " + primary.name() + " streaming", timeout, Duration.ofMillis(100),
                () -> streamingReplicas() == replicas.size());
    }

    /** Waits until every replica has replayed everything the primary had written when this was called. */
    public void awaitCaughtUp(Duration timeout) {
        String target;
        try {
            target = query(primary, "SELECT pg_current_wal_insert_lsn()::text");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the primary's WAL position", e);
        }
        for (PostgresNode replica : replicas) {
            poll(replica.name() + " to replay up to " + target, timeout, Duration.ofMillis(50),
                    () -> "t".equals(query(replica, "SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn")));
        }
    }

    private int streamingReplicas() throws SQLException {
        return Integer.parseInt(query(primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"));
    }

    private static String query(PostgresNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }

    public PostgresNode primary() {
        return primary;
    }

    public List<PostgresNode> replicas() {
        return replicas;
    }

    public PostgresNode replica(int index) {
        return replicas.get(index);
    }

    public List<PostgresNode> nodes() {
        List<PostgresNode> all = new ArrayList<>();
        all.add(primary);
        all.addAll(replicas);
        return all;
    }

    @Override
    public void close() {
        nodes().forEach(PostgresCluster::stopQuietly);
        deleteQuietly(root);
    }

    private static void stopQuietly(PostgresNode node) {
        if (node.isRunning()) {
            try {
                node.stopImmediately();
            } catch (RuntimeException e) {
                System.err.println("drpilot test harness: could not stop " + node + ": " + e.getMessage());
            }
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            PostgresInstallation.run(Duration.ofSeconds(60), List.of("rm", "-rf", root.toString()), false);
        } catch (IOException e) {
            System.err.println("drpilot test harness: could not remove " + root + ": " + e.getMessage());
        }
    }

    /**
     * Polls a condition of the servers; an exception counts as "not yet" (a server starting up
     * refuses connections). This module serves the demo too, so it does not use a test library.
     */
    private static void poll(String what, Duration timeout, Duration interval, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
            }
            try {
                Thread.sleep(interval.toMillis());   // polling a server process we do not get events from
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    private static int portFor(NodeSpec spec) {
        return spec.port() != 0 ? spec.port() : freePort();
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
