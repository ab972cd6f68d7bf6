package dev.drpilot.recovery.drill;

import dev.drpilot.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * The application during a switchover drill: commits one row every {@code interval} on whichever node takes writes,
 * and remembers each row the server acknowledged (the commit returned). A commit whose answer was lost (the connection
 * dropped) is not counted: the application would not count on it either. Sequence numbers are never reused, so a row
 * that committed without an answer cannot collide with a later one.
 */
final class ProbeWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeWriter.class);

    /** One acknowledged row: where and when its commit returned. */
    record Ack(String node, Instant at) {
    }

    private final List<NodeConfig> nodes;
    private final NodeSessions sessions;
    private final ProbeTable table;
    private final String run;
    private final Duration interval;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, Ack> acknowledged = new ConcurrentSkipListMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ProbeWriter(List<NodeConfig> nodes, NodeSessions sessions, ProbeTable table, String run, Duration interval, Clock clock) {
        this.nodes = List.copyOf(nodes);
        this.sessions = sessions;
        this.table = table;
        this.run = run;
        this.interval = interval;
        this.clock = clock;
        this.thread = new Thread(this::write, "drpilot-drill-writer-" + run);
        thread.setDaemon(true);
    }

    ProbeWriter start() {
        thread.start();
        return this;
    }

    private void write() {
        Connection connection = null;
        String node = null;
        long seq = 1;
        while (running) {
            if (connection == null) {
                for (NodeConfig candidate : nodes) {
                    connection = writable(candidate);
                    if (connection != null) {
                        node = candidate.name();
                        break;
                    }
                }
            }
            if (connection != null) {
                try {
                    table.insert(connection, run, seq, node);
                    acknowledged.put(seq, new Ack(node, clock.instant()));
                } catch (SQLException e) {
                    LOG.debug("[run={}] write {} on {} not acknowledged: {}", run, seq, node, e.getMessage());
                    close(connection);
                    connection = null;
                }
                seq++;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(interval.toNanos());
            } catch (InterruptedException e) {
                running = false;
            }
        }
        close(connection);
    }

    private Connection writable(NodeConfig node) {
        try {
            Connection connection = sessions.connect(node);
            try (var statement = connection.createStatement(); var row = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                if (row.next() && !row.getBoolean(1)) {
                    return connection;
                }
            }
            close(connection);
        } catch (SQLException e) {
            LOG.trace("[run={}] {} does not take writes now: {}", run, node.name(), e.getMessage());
        }
        return null;
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.trace("closing a probe connection that already failed: {}", e.getMessage());
        }
    }

    /** When {@code node} first acknowledged a row at or after {@code after}. */
    Optional<Instant> firstAckOn(String node, Instant after) {
        return acknowledged.values().stream().filter(ack -> ack.node().equals(node) && !ack.at().isBefore(after))
                .map(Ack::at).min(Instant::compareTo);
    }

    Map<Long, Ack> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** The acknowledged rows {@code present} lacks. */
    Map<Long, Ack> lost(Set<Long> present) {
        Map<Long, Ack> lost = new ConcurrentSkipListMap<>(acknowledged);
        lost.keySet().removeAll(present);
        return lost;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
