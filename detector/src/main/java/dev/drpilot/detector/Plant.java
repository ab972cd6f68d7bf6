package dev.drpilot.detector;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.AlertSettings;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Component;
import dev.drpilot.config.ComponentLimits;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.FailoverSettings;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.Thresholds;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the rules need to know of the configuration, indexed once: a rule looks up the component of
 * every observation, and a linear search over thousands of components per record would be the
 * detector's hot spot. Components and clusters that are not configured get the top-level
 * thresholds and no recovery targets: the detectors still watch what the collectors report.
 */
public final class Plant {
    private final DrpilotConfig config;
    private final Map<String, Component> components = new HashMap<>();
    private final Map<String, ComponentLimits> limits = new HashMap<>();
    private final ComponentLimits unconfigured;
    private final Map<String, ClusterConfig> clusters;

    public Plant(DrpilotConfig config) {
        this.config = config;
        config.components().forEach(component -> {
            components.put(component.name(), component);
            limits.put(component.name(), ComponentLimits.of(component));
        });
        this.unconfigured = ComponentLimits.unconfigured(config);
        this.clusters = Map.copyOf(config.clusters());
    }

    public DrpilotConfig config() {
        return config;
    }

    public Optional<Component> component(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(components.get(name));
    }

    public Optional<ClusterConfig> cluster(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(clusters.get(name));
    }

    /** The thresholds and RPO in force for a component, as the status page sees them too; an unconfigured one gets the top-level thresholds. */
    public ComponentLimits limits(String component) {
        ComponentLimits known = component == null ? null : limits.get(component);
        return known == null ? unconfigured : known;
    }

    /** The thresholds in force for a component: its own overrides, else the top-level ones. */
    public Thresholds thresholds(String component) {
        return limits(component).thresholds();
    }

    public Optional<Duration> rpo(String component) {
        return limits(component).rpo();
    }

    /** The component's RTO; an unconfigured component gets the DR plan's database RTO. */
    public Duration rto(String component) {
        return component(component).map(Component::rto).orElse(Component.Kind.DATABASE.defaultRto());
    }

    /** How the cluster is failed over; an unconfigured cluster is never failed over automatically. */
    public FailoverSettings failover(String cluster) {
        return cluster(cluster).map(ClusterConfig::failover).orElse(UNCONFIGURED_FAILOVER);
    }

    /** The node configured as primary, if the configuration names one. */
    public Optional<String> configuredPrimary(String cluster) {
        return cluster(cluster).flatMap(c -> c.nodes().stream().filter(node -> node.role() == NodeConfig.Role.PRIMARY)
                .map(NodeConfig::name).findFirst());
    }

    /**
     * Whether an observation with this collector id may confirm or deny what a database node is: a
     * collector's may; one that came through the ingest API ({@code api:<name>}, stamped by the API
     * from the caller's token) only when that source is configured with {@code vantage: true}.
     */
    public boolean countsAsVantage(String collectorId) {
        return config.ingestApi().countsAsVantage(collectorId);
    }

    /** Whether an observation with this collector id about {@code node} of {@code cluster} is that node's own configured agent's. */
    public boolean countsAsAgentEvidence(String collectorId, String cluster, String node) {
        return config.countsAsAgentEvidence(collectorId, cluster, node);
    }

    /** How often the node's agent publishes an unchanged verdict again; empty when the node has no agent. */
    public Optional<Duration> agentObservationInterval(String cluster, String node) {
        return cluster(cluster).flatMap(c -> c.node(node)).flatMap(NodeConfig::agent).map(AgentSettings::observationInterval);
    }

    public AlertSettings alerts() {
        return config.alerts();
    }

    private static final FailoverSettings UNCONFIGURED_FAILOVER = new FailoverSettings(FailoverSettings.Mode.OFF,
            Component.Kind.DATABASE.defaultRpo().orElseThrow(), 16L << 20, Duration.ofMinutes(15), 2, 3, "default", Duration.ofMinutes(30));
}
