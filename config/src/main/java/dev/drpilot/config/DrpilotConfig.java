package dev.drpilot.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole, validated configuration: immutable, defaults filled in. Built by
 * {@link ConfigLoader}; {@link #defaults()} is what runs when no file is given.
 */
public record DrpilotConfig(
        KafkaSettings kafka,
        CollectorSettings collector,
        IngestApiSettings ingestApi,
        List<Component> components,
        Map<String, ClusterConfig> clusters,
        List<Probe> probes,
        List<BackupSource> backups,
        Thresholds thresholds,
        AlertSettings alerts,
        List<ExpectedCollector> expectedCollectors,
        List<Receiver> receivers,
        List<Route> routes,
        Map<String, Runbook> runbooks,
        DrillSettings drills,
        List<MaintenanceWindow> maintenance,
        List<InhibitRule> inhibit,
        DetectorSettings detector) {

    public DrpilotConfig {
        maintenance = List.copyOf(maintenance);
        inhibit = List.copyOf(inhibit);
        components = List.copyOf(components);
        clusters = InOrder.copyOf(clusters);
        probes = List.copyOf(probes);
        backups = List.copyOf(backups);
        expectedCollectors = List.copyOf(expectedCollectors);
        receivers = List.copyOf(receivers);
        routes = List.copyOf(routes);
        runbooks = InOrder.copyOf(runbooks);
    }

    /** Without maintenance windows, and with the default inhibition rules. */
    public DrpilotConfig(KafkaSettings kafka, CollectorSettings collector, IngestApiSettings ingestApi, List<Component> components,
                         Map<String, ClusterConfig> clusters, List<Probe> probes, List<BackupSource> backups, Thresholds thresholds,
                         AlertSettings alerts, List<ExpectedCollector> expectedCollectors, List<Receiver> receivers, List<Route> routes,
                         Map<String, Runbook> runbooks, DrillSettings drills) {
        this(kafka, collector, ingestApi, components, clusters, probes, backups, thresholds, alerts, expectedCollectors, receivers,
                routes, runbooks, drills, List.of(), InhibitRule.DEFAULTS, new DetectorSettings(Optional.empty()));
    }

    /** The maintenance window open now that pauses failover of {@code cluster}, if any. */
    public Optional<MaintenanceWindow> maintenancePause(String cluster, java.time.Instant now) {
        return maintenance.stream().filter(window -> window.pausesFailover(cluster, now)).findFirst();
    }

    /**
     * Whether an observation stamped {@code collectorId} about {@code node} of {@code cluster} is that node's own
     * agent's evidence: only when the node has an {@code agent:} section and the id is the one its agent stamps. Any
     * other "agent:" id (forged, or an agent of another node) never counts.
     */
    public boolean countsAsAgentEvidence(String collectorId, String cluster, String node) {
        if (!AgentSettings.isAgent(collectorId) || cluster == null || node == null) {
            return false;
        }
        ClusterConfig config = clusters.get(cluster);
        return config != null && config.node(node).flatMap(NodeConfig::agent).isPresent()
                && AgentSettings.collectorId(cluster, node).equals(collectorId);
    }

    /** The built-in configuration: embedded Kafka, the DR plan's thresholds, nothing to watch yet. */
    public static DrpilotConfig defaults() {
        return ConfigLoader.parse("", "built-in defaults", name -> null);
    }

    public Optional<Component> component(String name) {
        return components.stream().filter(component -> component.name().equals(name)).findFirst();
    }
}
