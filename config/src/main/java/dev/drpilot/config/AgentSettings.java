package dev.drpilot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The node agent ({@code drpilot agent}) of one PostgreSQL server: a node's {@code agent:} section. A node without
 * one has no agent (RDS, or a host drpilot cannot run on) and everything works as before.
 *
 * @param dataDir             the server's data directory (postmaster.pid, standby.signal)
 * @param bin                 the directory of {@code pg_ctl}
 * @param osUser              run {@code pg_ctl} as this user through {@code runuser} (when the agent runs as root; the
 *                            server refuses to run as root); empty: as the agent's own user
 * @param host                how the agent reaches its server locally (TCP: the JDBC driver has no unix sockets)
 * @param port                the server's local port; the node's {@code port} unless set
 * @param leaseTtl            how long after the send of its newest acknowledged renewal the agent's node has
 *                            stopped taking writes, when no later renewal is acknowledged
 * @param renewInterval       how often the lease is renewed while the node is primary
 * @param stopBudget          how long the fence (stopping the server) may take: it starts {@code leaseTtl - stopBudget}
 *                            after the newest acknowledged send, so that writes have ended by the TTL
 * @param fence               what the agent does when its lease runs out: both write {@code standby.signal} and stop
 *                            the server at once; demote then starts it again as a standby, stop leaves that to
 *                            whatever supervises it (systemd, the kubelet) or to a person
 * @param deadMan             a child process the agent pets while it holds the lease; it stops the server with
 *                            {@code pg_ctl -m immediate} when the petting stops (a frozen or killed agent)
 * @param checkInterval       how often the postmaster is checked (pid file, process, a local query)
 * @param queryTimeout        a local query slower than this is "not answering"
 * @param observationInterval an unchanged verdict is published again this often (fresh evidence for the detector)
 * @param bind                the agent's HTTP listener ({@code /healthz}, {@code /readyz})
 * @param listenPort          its port; 0 picks a free one (not in a failsafe cluster: the primary's agent asks the
 *                            replicas' agents on their configured ports)
 * @param failsafeToken       the token the agents of a failsafe cluster share: the primary's agent sends it with its
 *                            question, a replica's agent answers only a question that carries its own
 */
public record AgentSettings(Path dataDir, Path bin, Optional<String> osUser, String host, int port, String database, String user,
                            Optional<Secret> password, Duration leaseTtl, Duration renewInterval, Duration stopBudget,
                            FenceMethod fence, boolean deadMan, Duration checkInterval, Duration queryTimeout,
                            Duration observationInterval, String bind, int listenPort, Optional<Secret> failsafeToken) {
    /** Collector ids of agents start with this; a collector's own id never does (the configuration refuses it). */
    public static final String PREFIX = "agent:";

    public enum FenceMethod { DEMOTE, STOP }

    /** Without a failsafe token (a cluster without failsafe mode). */
    public AgentSettings(Path dataDir, Path bin, Optional<String> osUser, String host, int port, String database, String user,
                         Optional<Secret> password, Duration leaseTtl, Duration renewInterval, Duration stopBudget, FenceMethod fence,
                         boolean deadMan, Duration checkInterval, Duration queryTimeout, Duration observationInterval, String bind,
                         int listenPort) {
        this(dataDir, bin, osUser, host, port, database, user, password, leaseTtl, renewInterval, stopBudget, fence, deadMan,
                checkInterval, queryTimeout, observationInterval, bind, listenPort, Optional.empty());
    }

    /** The collector id an agent stamps on what it publishes about {@code node} of {@code cluster}. */
    public static String collectorId(String cluster, String node) {
        return PREFIX + cluster + "/" + node;
    }

    /** The vantage an agent's observations name: its node's own host. */
    public static String vantage(String node) {
        return PREFIX + node;
    }

    public static boolean isAgent(String collectorId) {
        return collectorId != null && collectorId.startsWith(PREFIX);
    }

    /** When the fence starts, counted from the send of the newest acknowledged renewal. */
    public Duration fenceAfter() {
        return leaseTtl.minus(stopBudget);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    static Optional<AgentSettings> bind(Section node, int nodePort) {
        if (!node.has("agent")) {
            return Optional.empty();
        }
        Section agent = node.section("agent");
        Path dataDir = Path.of(agent.required("dataDir"));
        Path bin = Path.of(agent.required("bin"));
        Optional<String> osUser = agent.optionalString("osUser");
        String host = agent.string("host", "127.0.0.1");
        int port = agent.integer("port", nodePort, 1, 65535);
        String database = agent.string("database", "postgres");
        String user = agent.string("user", "postgres");
        Optional<Secret> password = agent.secret("password");
        Duration ttl = agent.duration("leaseTtl", Duration.ofSeconds(10));
        Duration renew = agent.duration("renewInterval", Duration.ofSeconds(2));
        Duration stopBudget = agent.duration("stopBudget", Duration.ofSeconds(2));
        FenceMethod fence = agent.enumValue("fence", FenceMethod.class, FenceMethod.DEMOTE);
        boolean deadMan = agent.bool("deadMan", true);
        Duration check = agent.duration("checkInterval", Duration.ofMillis(500));
        Duration queryTimeout = agent.duration("queryTimeout", Duration.ofSeconds(1));
        Duration observation = agent.duration("observationInterval", Duration.ofSeconds(5));
        String bind = agent.string("bind", "0.0.0.0");
        int listenPort = agent.integer("listenPort", 8084, 0, 65535);
        Optional<Secret> failsafeToken = agent.secret("failsafeToken");
        if (!dataDir.toString().isEmpty() && !dataDir.isAbsolute()) {
            agent.problems().add(agent.child("dataDir"), "\"" + dataDir + "\" is not an absolute path");
        }
        if (!bin.toString().isEmpty() && !bin.isAbsolute()) {
            agent.problems().add(agent.child("bin"), "\"" + bin + "\" is not an absolute path");
        }
        if (isPositive(ttl, renew, stopBudget) && renew.multipliedBy(2).plus(stopBudget).compareTo(ttl) > 0) {
            agent.problems().add(agent.child("leaseTtl"), "must be at least 2 × renewInterval + stopBudget (" + renew.multipliedBy(2)
                    .plus(stopBudget).toMillis() + " ms), so that one late renewal does not fence a healthy primary");
        }
        if (isPositive(check, queryTimeout) && queryTimeout.compareTo(check.multipliedBy(4)) > 0) {
            agent.problems().add(agent.child("queryTimeout"), "must be at most 4 × checkInterval, or a hung server is seen late");
        }
        agent.finish();
        return Optional.of(new AgentSettings(dataDir, bin, osUser, host, port, database, user, password, ttl, renew, stopBudget, fence,
                deadMan, check, queryTimeout, observation, bind, listenPort, failsafeToken));
    }

    private static boolean isPositive(Duration... durations) {
        for (Duration duration : durations) {
            if (duration == null || duration.isZero() || duration.isNegative()) {
                return false;
            }
        }
        return true;
    }
}
