package dev.drpilot.config;

import java.util.List;
import java.util.Optional;

/**
 * One PostgreSQL server of a cluster.
 *
 * @param role     the role it is expected to have; the collectors report the role it really has
 * @param jdbcUrl  overrides host, port and database when set
 * @param priority failover candidate priority, 0 to 100 (higher wins among equally safe replicas)
 * @param tags     e.g. {@code nofailover}: never promoted
 * @param agent    the node agent beside this server, if it has one ({@code drpilot agent}, docs/agent.md)
 */
public record NodeConfig(
        String name,
        Role role,
        String host,
        int port,
        String database,
        Optional<String> user,
        Optional<Secret> password,
        Optional<String> jdbcUrl,
        int priority,
        List<String> tags,
        Optional<String> rdsInstanceId,
        Optional<AgentSettings> agent) {

    public NodeConfig {
        tags = List.copyOf(tags);
    }

    /** A node without an agent. */
    public NodeConfig(String name, Role role, String host, int port, String database, Optional<String> user, Optional<Secret> password,
                      Optional<String> jdbcUrl, int priority, List<String> tags, Optional<String> rdsInstanceId) {
        this(name, role, host, port, database, user, password, jdbcUrl, priority, tags, rdsInstanceId, Optional.empty());
    }

    public enum Role { PRIMARY, REPLICA }

    /** The JDBC URL to reach this node. */
    public String effectiveJdbcUrl() {
        return jdbcUrl.orElse("jdbc:postgresql://" + host + ":" + port + "/" + database);
    }

    public boolean mayBePromoted() {
        return !tags.contains("nofailover");
    }
}
