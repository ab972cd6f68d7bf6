package dev.drpilot.ingest.health;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.NodeRole;
import dev.drpilot.ingest.PostgresConnector;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/** Connect, {@code SELECT 1}, and {@code pg_is_in_recovery()}: alive, and in which role. */
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
             ResultSet result = statement.executeQuery("SELECT 1, pg_is_in_recovery(), current_setting('server_version')")) {
            result.next();
            NodeRole role = result.getBoolean(2) ? NodeRole.REPLICA : NodeRole.PRIMARY;
            return ProbeOutcome.ok(role, Map.of("server_version", result.getString(3)));
        }
    }
}
