package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Secret;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Connections to the drilled cluster's nodes, in the probe's database, with short timeouts: a drill asks often and must
 * not hang on a node that is being shut down.
 */
final class NodeSessions {
    private final DrillSettings.Probe probe;

    NodeSessions(DrillSettings.Probe probe) {
        this.probe = probe;
    }

    Connection connect(NodeConfig node) throws SQLException {
        Properties props = new Properties();
        node.user().ifPresent(user -> props.setProperty("user", user));
        node.password().map(Secret::reveal).ifPresent(password -> props.setProperty("password", password));
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "2");
        props.setProperty("socketTimeout", "5");
        props.setProperty("ApplicationName", "drpilot-drill");
        String url = probe.database().filter(database -> node.jdbcUrl().isEmpty())
                .map(database -> "jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database)
                .orElse(node.effectiveJdbcUrl());
        return DriverManager.getConnection(url, props);
    }

    /** Whether the node answers and takes writes; empty when it does not answer. */
    Optional<Boolean> writable(NodeConfig node) {
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            row.next();
            return Optional.of(row.getBoolean(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code node} is a standby streaming from {@code primary}: its WAL receiver streams, from the primary's
     * port and host — the same name, or a name or address that resolves to one of the primary's addresses (a
     * {@code primary_conninfo} may name the host differently from drpilot's configuration).
     */
    boolean streamsFrom(NodeConfig node, NodeConfig primary) {
        try (Connection connection = connect(node); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver")) {
            if (!row.next() || !"streaming".equals(row.getString(1)) || row.getInt(3) != primary.port()) {
                return false;
            }
            return sameHost(row.getString(2), primary.host());
        } catch (SQLException e) {
            return false;
        }
    }

    /** A socket directory (no host) counts as the same host: a local replica. */
    static boolean sameHost(String sender, String configured) {
        if (sender == null || sender.startsWith("/") || sender.equalsIgnoreCase(configured)) {
            return true;
        }
        try {
            Set<InetAddress> addresses = new HashSet<>(List.of(InetAddress.getAllByName(configured)));
            return Arrays.stream(InetAddress.getAllByName(sender)).anyMatch(addresses::contains)
                    || addresses.stream().allMatch(InetAddress::isLoopbackAddress) && InetAddress.getByName(sender).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
