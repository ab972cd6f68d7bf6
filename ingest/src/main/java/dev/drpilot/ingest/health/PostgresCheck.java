package dev.drpilot.ingest.health;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.events.NodeRole;
import dev.drpilot.ingest.PostgresConnector;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Connect, {@code SELECT 1}, and {@code pg_is_in_recovery()}: alive, and in which role. A primary
 * fenced read-only by a failover ({@code default_transaction_read_only = on}) is reported with
 * {@code readOnly=true} in the details: it answers as a primary but takes no writes, which the
 * split-brain and primary-down rules must tell apart from a second writable primary.
 *
 * <p>An error the server answered with (a refused login, no free connection slot, starting up,
 * ...) is an outcome of its own, with its SQLSTATE: the server is alive, so it is not a failed
 * probe. Only no answer (refused, timed out, reset) is; see {@link PostgresRefusal}.
 */
final class PostgresCheck implements HealthCheck {
    private final NodeConfig node;
    private final PostgresConnector connector;

    PostgresCheck(NodeConfig node, PostgresConnector connector) {
        this.node = node;
        this.connector = connector;
    }

    @Override
    public String target() {
        return node.jdbcUrl().orElse(node.host() + ":" + node.port());
    }

    @Override
    public ProbeOutcome check() throws Exception {
        try (Connection connection = connector.connect(node); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT 1, pg_is_in_recovery(), current_setting('server_version'),"
                     + " current_setting('default_transaction_read_only')")) {
            result.next();
            NodeRole role = result.getBoolean(2) ? NodeRole.REPLICA : NodeRole.PRIMARY;
            return ProbeOutcome.ok(role, Map.of("server_version", result.getString(3), "readOnly", Boolean.toString("on".equals(result.getString(4)))));
        } catch (SQLException e) {
            return ProbeOutcome.refused(PostgresRefusal.of(e).orElseThrow(() -> e));
        }
    }
}
