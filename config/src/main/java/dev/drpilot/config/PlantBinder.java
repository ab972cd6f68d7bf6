package dev.drpilot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Binds what is watched: components with their recovery targets, and database clusters with their nodes. */
final class PlantBinder {
    private static final Set<String> KNOWN_TAGS = Set.of("nofailover", "noloadbalance", "nosync");

    private final Section top;
    private final Thresholds thresholds;

    PlantBinder(Section top, Thresholds thresholds) {
        this.top = top;
        this.thresholds = thresholds;
    }

    List<Component> components() {
        List<Component> components = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section item : top.list("components")) {
            String name = item.required("name");
            Component.Kind kind = item.enumValue("kind", Component.Kind.class, null);
            Duration rto = item.duration("rto", kind == null ? Duration.ofMinutes(15) : kind.defaultRto());
            Optional<Duration> explicitRpo = item.optionalDuration("rpo");
            Optional<Duration> rpo = explicitRpo.or(() -> kind == null ? Optional.empty() : kind.defaultRpo());
            Optional<String> cluster = item.optionalString("cluster");
            Thresholds own = Thresholds.bind(item.section("thresholds"), thresholds);
            item.finish();
            item.requireUniqueName(names, name, "component");
            components.add(new Component(name, kind == null ? Component.Kind.DATABASE : kind, rto, rpo, cluster, own));
        }
        return components;
    }

    Map<String, ClusterConfig> clusters(List<Component> components) {
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
        top.namedSections("clusters").forEach((name, section) -> clusters.put(name, cluster(name, section, components)));
        return clusters;
    }

    private ClusterConfig cluster(String name, Section section, List<Component> components) {
        String component = section.required("component");
        List<Section> nodeSections = section.list("nodes");
        if (nodeSections.isEmpty()) {
            section.problems().add(section.child("nodes"), "a cluster needs at least one node");
        }
        List<NodeConfig> nodes = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        for (Section nodeSection : nodeSections) {
            NodeConfig node = node(nodeSection);
            nodeSection.requireUniqueName(nodeNames, node.name(), "node of cluster " + name);
            nodes.add(node);
        }
        if (nodes.stream().filter(node -> node.role() == NodeConfig.Role.PRIMARY).count() > 1) {
            section.problems().add(section.child("nodes"), "at most one node may have role primary");
        }
        Duration rpo = components.stream().filter(c -> c.name().equals(component)).findFirst()
                .flatMap(Component::rpo).orElse(Component.Kind.DATABASE.defaultRpo().orElseThrow());
        Duration replicationInterval = section.duration("replicationInterval", Duration.ofSeconds(5));
        Optional<CloudWatchSource> cloudwatch = section.has("cloudwatch") ? Optional.of(cloudwatch(section.section("cloudwatch"))) : Optional.empty();
        if (cloudwatch.isPresent() && nodes.stream().allMatch(node -> node.rdsInstanceId().isEmpty())) {
            section.problems().add(section.child("cloudwatch"), "no node of this cluster has an rdsInstanceId to read from CloudWatch");
        }
        FailoverSettings failover = failover(section.section("failover"), rpo);
        section.finish();
        return new ClusterConfig(name, component, nodes, replicationInterval, cloudwatch, failover);
    }

    private static NodeConfig node(Section node) {
        String name = node.required("name");
        NodeConfig.Role role = node.enumValue("role", NodeConfig.Role.class, NodeConfig.Role.REPLICA);
        Optional<String> jdbcUrl = node.optionalString("jdbcUrl");
        String host = jdbcUrl.isPresent() ? node.string("host", "") : node.required("host");
        int port = node.integer("port", 5432, 1, 65535);
        String database = node.string("database", "postgres");
        Optional<String> user = node.optionalString("user");
        Optional<Secret> password = node.secret("password");
        int priority = node.integer("priority", 50, 0, 100);
        List<String> tags = node.strings("tags");
        for (String tag : tags) {
            if (!KNOWN_TAGS.contains(tag)) {
                node.problems().add(node.child("tags"), "unknown tag \"" + tag + "\" (known: nofailover, noloadbalance, nosync)");
            }
        }
        Optional<String> rds = node.optionalString("rdsInstanceId");
        if (jdbcUrl.isPresent() && !jdbcUrl.get().startsWith("jdbc:postgresql://")) {
            node.problems().add(node.child("jdbcUrl"), "\"" + jdbcUrl.get() + "\" is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
        }
        Optional<AgentSettings> agent = AgentSettings.bind(node, port);
        node.finish();
        return new NodeConfig(name, role, host, port, database, user, password, jdbcUrl, priority, tags, rds, agent);
    }

    private static CloudWatchSource cloudwatch(Section cloudwatch) {
        CloudWatchSource source = new CloudWatchSource(cloudwatch.required("region"), cloudwatch.optionalString("endpoint"),
                cloudwatch.duration("interval", Duration.ofMinutes(1)));
        source.endpoint().filter(endpoint -> !ProbeBinder.isHttpUrl(endpoint)).ifPresent(endpoint ->
                cloudwatch.problems().add(cloudwatch.child("endpoint"), "\"" + endpoint + "\" is not an http:// or https:// URL"));
        cloudwatch.finish();
        return source;
    }

    private static FailoverSettings failover(Section failover, Duration componentRpo) {
        FailoverSettings settings = new FailoverSettings(
                failover.enumValue("mode", FailoverSettings.Mode.class, FailoverSettings.Mode.OFF),
                failover.duration("maxLagOnFailover", componentRpo),
                failover.byteSize("maxLagBytesOnFailover", 16L << 20),
                failover.duration("cooldown", Duration.ofMinutes(15)),
                failover.integer("quorum", 2, 1, 100),
                failover.integer("holdProbes", 3, 1, 100),
                failover.string("runbook", "default"),
                failover.duration("approvalTimeout", Duration.ofMinutes(30)),
                failover.duration("approvalValidity", FailoverSettings.DEFAULT_APPROVAL_VALIDITY),
                failover.enumValue("unreachablePrimary", FailoverSettings.UnreachablePrimary.class, FailoverSettings.DEFAULT_UNREACHABLE_PRIMARY),
                failover.bool("failsafe", false),
                failover.enumValue("rejoin", FailoverSettings.Rejoin.class, FailoverSettings.DEFAULT_REJOIN));
        failover.finish();
        return settings;
    }
}
