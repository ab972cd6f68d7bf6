package dev.drpilot.notify.topology;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.LeaseState;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.ReplicationObservation;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Each node's live role, timeline and upstream, from what is on the topics — never from the configuration's roles, which
 * only say what was planned. The status page, {@code /metrics} and {@code drpilot status} all read it, so the three agree.
 *
 * <p>The evidence, each with its own time:
 * <ul>
 * <li>replication observations: {@code primaryNode} is a node the collector found taking writes; {@code replicaNode} is a
 *     replica when {@code inRecovery} (or when it did not answer but its primary sees it streaming), a second writable
 *     primary when not in recovery, and down (from that vantage) when it neither answered nor streams; timelines and
 *     upstream as the collector read them;</li>
 * <li>health observations of PostgreSQL probes, the node's own agent's included (an {@code agent:} id counts only when it is
 *     the one that node's configured agent stamps): a role when it answered with one, down when nothing answered;</li>
 * <li>failover records on {@code drpilot.actions}: a successful summary promotes {@code newPrimary} and takes the primary's
 *     role from {@code oldPrimary}; a fence's summary marks its node fenced; a rejoin marks its node rejoining while under way
 *     and a replica of {@code streaming.from} on {@code source.timeline} once it succeeded;</li>
 * <li>agent leases: HOLDING is a primary (with its timeline), SELF_FENCED a fenced node.</li>
 * </ul>
 * The rule when they disagree: <b>the newest evidence wins</b> (by its own time: observedAt, a record's end, a lease's
 * renewal), so a failover record beats every observation older than it and is beaten by any newer one. One exception keeps
 * what is known: an observation that a node is down does not erase its fenced or rejoining mark — a fenced or rejoining
 * node is expected not to answer. Nothing is hidden to make the picture tidy: two nodes that each look writable are both
 * shown as primaries. Only configured clusters are kept. Evidence older than the cluster's staleness is no evidence: such a node's role is {@code unknown},
 * and its timeline and upstream are not shown. Thread-safe: a feed writes while the page and scrapes read.
 */
public final class LiveTopology {
    /** A node's live role; {@link #label()} is how the page, {@code /metrics} and the CLI spell it. */
    public enum Role {
        PRIMARY, REPLICA, FENCED, REJOINING, DOWN, UNKNOWN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean marked() {
            return this == FENCED || this == REJOINING;
        }
    }

    /** The failover that last took the primary's role from a node, while no later one gave it back. */
    public record Replacement(String by, Instant at, String incident) {
    }

    /**
     * One node as the evidence shows it now. {@code since}: when the evidence read first showed it in this role;
     * {@code basis}: the newest evidence of the role, in words; {@code configuredRole}: the configuration's ("primary",
     * "replica", or "not configured").
     */
    public record Node(String cluster, String node, Role role, Optional<Long> timeline, Optional<String> upstream, Optional<Instant> since,
                       Optional<Double> lagSeconds, Optional<Long> lagBytes, String basis, String configuredRole,
                       Optional<Replacement> replaced) {

        /** {@code configured primary; replaced by pg-2 at 2026-11-24 03:12:00Z (failover inc-7)}, or empty when nothing differs. */
        public Optional<String> note() {
            List<String> parts = new ArrayList<>();
            boolean configuredPrimary = "primary".equals(configuredRole);
            boolean differs = role != Role.UNKNOWN && (configuredPrimary != (role == Role.PRIMARY));
            if (differs || (configuredPrimary && replaced.isPresent())) {
                parts.add("configured " + configuredRole);
            }
            replaced.ifPresent(by -> parts.add("replaced by " + by.by() + " at " + by.at().truncatedTo(ChronoUnit.SECONDS)
                    .toString().replace('T', ' ') + " (failover " + by.incident() + ")"));
            return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts));
        }
    }

    /** One cluster: its nodes (configured ones first, in configuration order) and what is wrong with the whole. */
    public record Cluster(String name, List<Node> nodes, List<String> primaries, Optional<String> warning) {
    }

    private record Claim(Role role, Instant at, String basis, boolean observation) {
    }

    private record Stamped<T>(T value, Instant at) {
    }

    private record Lag(Double seconds, Long bytes) {
    }

    private static final class State {
        Claim claim;
        Instant since;
        Stamped<Long> timeline;
        Stamped<Optional<String>> upstream;
        Stamped<Lag> lag;
        Replacement replaced;
    }

    private static final String SUMMARY = "summary";

    private final DrpilotConfig config;
    /** cluster -> node -> state, nodes in the order first seen. */
    private final Map<String, Map<String, State>> clusters = new LinkedHashMap<>();

    public LiveTopology(DrpilotConfig config) {
        this.config = config;
    }

    public synchronized void accept(ReplicationObservation observation) {
        String cluster = observation.getCluster();
        if (!configured(cluster)) {
            return;
        }
        Instant at = observation.getObservedAt();
        String vantage = "collector " + observation.getSource().getVantage();
        String primary = observation.getPrimaryNode();
        if (primary != null) {
            claim(cluster, primary, new Claim(Role.PRIMARY, at, vantage + ": takes writes", true));
            timeline(cluster, primary, observation.getPrimaryTimeline(), at);
        }
        String node = observation.getReplicaNode();
        Boolean inRecovery = observation.getInRecovery();
        if (inRecovery == null && !observation.getStreaming()) {
            claim(cluster, node, new Claim(Role.DOWN, at, vantage + ": " + Optional.ofNullable(observation.getError()).orElse("no answer"), true));
            return;
        }
        if (inRecovery == null) {
            // The node did not answer the collector itself, but its primary (or CloudWatch) sees it stream: a replica.
            inRecovery = true;
        }
        if (!inRecovery) {
            claim(cluster, node, new Claim(Role.PRIMARY, at, vantage + ": not in recovery, takes writes", true));
            timeline(cluster, node, observation.getTimeline(), at);
            return;
        }
        claim(cluster, node, new Claim(Role.REPLICA, at, vantage + ": in recovery", true));
        timeline(cluster, node, observation.getTimeline(), at);
        Optional<String> upstream = Optional.ofNullable(observation.getUpstream())
                .or(() -> observation.getStreaming() ? Optional.ofNullable(primary) : Optional.empty());
        State state = state(cluster, node);
        state.upstream = newer(state.upstream, new Stamped<>(upstream, at));
        state.lag = newer(state.lag, new Stamped<>(new Lag(observation.getLagSeconds(), observation.getLagBytes()), at));
    }

    public synchronized void accept(HealthObservation observation) {
        String cluster = observation.getCluster();
        String node = observation.getNode();
        if (!configured(cluster) || node == null || observation.getKind() != ProbeKind.POSTGRES) {
            return;
        }
        String collector = observation.getSource().getCollectorId();
        boolean agent = AgentSettings.isAgent(collector);
        if (agent && !config.countsAsAgentEvidence(collector, cluster, node)) {
            return;
        }
        String who = agent ? "its agent" : "probe " + observation.getProbe() + " from " + observation.getSource().getVantage();
        Instant at = observation.getObservedAt();
        if (observation.getOk() && observation.getRole() == NodeRole.PRIMARY) {
            claim(cluster, node, new Claim(Role.PRIMARY, at, who + ": primary", true));
        } else if (observation.getOk() && observation.getRole() == NodeRole.REPLICA) {
            claim(cluster, node, new Claim(Role.REPLICA, at, who + ": in recovery", true));
        } else if (!observation.getOk() && !observation.getAnswered()) {
            String why = Optional.ofNullable(observation.getDetails().get("agentVerdict")).or(() -> Optional.ofNullable(observation.getError()))
                    .orElse("no answer");
            claim(cluster, node, new Claim(Role.DOWN, at, who + ": " + why, true));
        }
        // An answer with an error (login refused, too many connections) is alive with no role: it changes nothing.
    }

    public synchronized void accept(AgentLease lease) {
        if (!configured(lease.getCluster())) {
            return;
        }
        Instant at = lease.getRenewedAt();
        if (lease.getState() == LeaseState.HOLDING) {
            claim(lease.getCluster(), lease.getNode(), new Claim(Role.PRIMARY, at, "its agent holds the cluster's lease", false));
            timeline(lease.getCluster(), lease.getNode(), lease.getTimeline(), at);
        } else if (lease.getState() == LeaseState.SELF_FENCED) {
            claim(lease.getCluster(), lease.getNode(), new Claim(Role.FENCED, at, "its agent fenced it (lease not renewed)", false));
        }
    }

    public synchronized void accept(ActionRecord record) {
        String cluster = record.getCluster();
        if (!configured(cluster)) {
            return;
        }
        Instant at = record.getFinishedAt() != null ? record.getFinishedAt() : record.getStartedAt();
        Map<String, String> figures = record.getAttributes();
        if (record.getKind() == ActionKind.REJOIN) {
            rejoin(cluster, record, at, figures);
            return;
        }
        boolean succeeded = record.getKind() == ActionKind.FAILOVER_SUMMARY && SUMMARY.equals(record.getName())
                && record.getStatus() == ActionStatus.SUCCEEDED && "SUCCEEDED".equals(figures.getOrDefault("outcome", "SUCCEEDED"))
                && !"true".equals(figures.get("dryRun"));
        if (!succeeded) {
            return;
        }
        String incident = Optional.ofNullable(record.getIncidentId()).orElse(record.getActionId());
        if (FailoverMode.FENCE.name().equals(figures.get("mode"))) {
            Optional.ofNullable(figures.get("fencedNode")).ifPresent(node ->
                    claim(cluster, node, new Claim(Role.FENCED, at, "fenced by " + incident, false)));
            return;
        }
        String promoted = figures.get("newPrimary");
        if (promoted == null) {
            return;
        }
        claim(cluster, promoted, new Claim(Role.PRIMARY, at, "promoted by " + incident, false));
        state(cluster, promoted).replaced = null;
        Optional.ofNullable(figures.get("oldPrimary")).filter(old -> !old.equals(promoted)).ifPresent(old -> {
            claim(cluster, old, new Claim(Role.DOWN, at, "replaced by " + promoted + " (" + incident + ")", false));
            State state = state(cluster, old);
            if (state.replaced == null || !at.isBefore(state.replaced.at())) {
                state.replaced = new Replacement(promoted, at, incident);
            }
        });
    }

    private void rejoin(String cluster, ActionRecord record, Instant at, Map<String, String> figures) {
        String node = figures.get("node");
        if (node == null) {
            return;
        }
        if (record.getStatus() == ActionStatus.STARTED) {
            claim(cluster, node, new Claim(Role.REJOINING, at, "rejoin under way", false));
        } else if (record.getStatus() == ActionStatus.SUCCEEDED) {
            Optional<String> from = Optional.ofNullable(figures.get("streaming.from")).map(sender -> nodeAt(cluster, sender));
            claim(cluster, node, new Claim(Role.REPLICA, at, "rejoined" + from.map(source -> " as a replica of " + source).orElse(""), false));
            State state = state(cluster, node);
            state.upstream = newer(state.upstream, new Stamped<>(from.or(() -> Optional.ofNullable(figures.get("source"))), at));
            Optional.ofNullable(figures.get("source.timeline")).flatMap(LiveTopology::number)
                    .ifPresent(timeline -> timeline(cluster, node, timeline, at));
        } else if (state(cluster, node).claim != null && state(cluster, node).claim.role() == Role.REJOINING) {
            claim(cluster, node, new Claim(Role.DOWN, at, "rejoin " + record.getStatus().name().toLowerCase(Locale.ROOT), false));
        }
    }

    /** Evidence about clusters this configuration does not name (another deployment's, a typo in an API call) is left out. */
    private boolean configured(String cluster) {
        return cluster != null && config.clusters().containsKey(cluster);
    }

    private static Optional<Long> number(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            // The agent writes a number; a foreign record's timeline is left out, not its rejoin.
            return Optional.empty();
        }
    }

    /** The configured node whose {@code host:port} a WAL receiver names, or that {@code host:port}. */
    private String nodeAt(String cluster, String sender) {
        return Optional.ofNullable(config.clusters().get(cluster)).flatMap(found -> found.nodes().stream()
                .filter(node -> sender.equals(node.host() + ":" + node.port())).map(NodeConfig::name).findFirst()).orElse(sender);
    }

    private void claim(String cluster, String node, Claim claim) {
        State state = state(cluster, node);
        Claim known = state.claim;
        if (known != null && claim.at().isBefore(known.at())) {
            return;
        }
        if (known != null && claim.observation() && claim.role() == Role.DOWN && known.role().marked()) {
            // Down is what a fenced or rejoining node looks like: the mark says more, and the fresh sighting keeps it current.
            state.claim = new Claim(known.role(), claim.at(), known.basis(), known.observation());
            return;
        }
        if (known == null || known.role() != claim.role()) {
            state.since = claim.at();
        }
        state.claim = claim;
    }

    private void timeline(String cluster, String node, Long timeline, Instant at) {
        if (timeline != null) {
            State state = state(cluster, node);
            state.timeline = newer(state.timeline, new Stamped<>(timeline, at));
        }
    }

    private State state(String cluster, String node) {
        return clusters.computeIfAbsent(cluster, name -> new LinkedHashMap<>()).computeIfAbsent(node, name -> new State());
    }

    private static <T> Stamped<T> newer(Stamped<T> known, Stamped<T> offered) {
        return known != null && offered.at().isBefore(known.at()) ? known : offered;
    }

    /**
     * Every configured cluster, in configuration order, each node (the configured ones, then any other the evidence names) with
     * what the evidence fresher than its cluster's {@code staleAfter} shows.
     */
    public synchronized List<Cluster> view(Instant now, Function<String, Duration> staleAfter) {
        return config.clusters().keySet().stream().map(name -> cluster(name, now.minus(staleAfter.apply(name)))).toList();
    }

    private Cluster cluster(String name, Instant freshFrom) {
        Map<String, State> seen = clusters.getOrDefault(name, Map.of());
        Optional<ClusterConfig> configured = Optional.ofNullable(config.clusters().get(name));
        List<String> nodeNames = new ArrayList<>(configured.map(found -> found.nodes().stream().map(NodeConfig::name).toList()).orElse(List.of()));
        TreeSet<String> others = new TreeSet<>(seen.keySet());
        others.removeAll(nodeNames);
        nodeNames.addAll(others);
        List<Node> nodes = nodeNames.stream().map(node -> node(name, node, seen.get(node), configured, freshFrom)).toList();
        List<String> primaries = nodes.stream().filter(node -> node.role() == Role.PRIMARY).map(Node::node).toList();
        Optional<String> warning = primaries.size() > 1
                ? Optional.of(primaries.size() + " nodes take writes: " + String.join(", ", primaries) + " (split brain)")
                : primaries.isEmpty() && nodes.stream().anyMatch(node -> node.role() != Role.UNKNOWN) ? Optional.of("no node takes writes")
                : Optional.empty();
        return new Cluster(name, nodes, primaries, warning);
    }

    private static Node node(String cluster, String name, State state, Optional<ClusterConfig> configured, Instant freshFrom) {
        String configuredRole = configured.flatMap(found -> found.node(name))
                .map(node -> node.role() == NodeConfig.Role.PRIMARY ? "primary" : "replica").orElse("not configured");
        Optional<Replacement> replaced = Optional.ofNullable(state).map(found -> found.replaced);
        if (state == null || state.claim == null || state.claim.at().isBefore(freshFrom)) {
            String basis = state == null || state.claim == null ? "no evidence yet" : "no evidence since " + state.claim.at();
            return new Node(cluster, name, Role.UNKNOWN, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    basis, configuredRole, replaced);
        }
        Role role = state.claim.role();
        Optional<Long> timeline = fresh(state.timeline, freshFrom);
        boolean replica = role == Role.REPLICA;
        Optional<String> upstream = replica ? fresh(state.upstream, freshFrom).flatMap(Function.identity()) : Optional.empty();
        Optional<Lag> lag = replica ? fresh(state.lag, freshFrom) : Optional.empty();
        return new Node(cluster, name, role, timeline, upstream, Optional.of(state.since), lag.map(Lag::seconds), lag.map(Lag::bytes),
                state.claim.basis(), configuredRole, replaced);
    }

    private static <T> Optional<T> fresh(Stamped<T> stamped, Instant freshFrom) {
        return stamped == null || stamped.at().isBefore(freshFrom) ? Optional.empty() : Optional.of(stamped.value());
    }
}
