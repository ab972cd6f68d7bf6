package dev.drpilot.notify.metrics;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.notify.topology.LiveTopology;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The state of the plant as Prometheus sees it, from the observation and action topics: replication
 * lag per replica, recovery point age and the last good and failed backup per component, the RTO and RPO targets
 * of the configuration, failovers with their recovery times, and each node's live role, timeline and upstream
 * ({@link LiveTopology}, which the status page reads too).
 *
 * <p>Replication figures are the newest observation of each replica. A replica not observed for
 * {@link #staleAfter(String)} loses its series: a node removed from a cluster must not keep showing
 * its last lag for ever, and a replica that went silent is the silent-collector rule's business,
 * not a frozen gauge's.
 */
public final class PlantMetrics {
    private static final Logger log = LoggerFactory.getLogger(PlantMetrics.class);
    /** A replica is stale after this many of its cluster's replication intervals ... */
    static final int STALE_INTERVALS = 10;
    /** ... but never sooner than this: observations from the ingest API have no configured interval. */
    static final Duration MIN_STALE = Duration.ofMinutes(5);
    static final List<String> FAILOVER_OUTCOMES = List.of("succeeded", "failed", "refused");
    private static final String SUMMARY = "summary";
    // How the failover names its record of a record it could not read (failover's DeadLetters).
    private static final String DEAD_LETTER = "deadletter";

    private final Clock clock;
    private final Map<String, ClusterConfig> clusters;
    private final ReplicaObservations replicas = new ReplicaObservations();
    private final BackupLedger backups = new BackupLedger();
    private final LiveTopology topology;
    private final Counter failovers;
    private final Histogram failoverDuration;
    private final Counter unreadable;
    private final Counter deadLettered;
    private final DrillMetrics drills;

    public PlantMetrics(PrometheusRegistry registry, DrpilotConfig config, Clock clock) {
        this.clock = clock;
        this.clusters = Map.copyOf(config.clusters());
        this.topology = new LiveTopology(config);
        topologyGauges(registry);
        this.drills = new DrillMetrics(registry);
        replicaGauge(registry, "drpilot_replication_lag_seconds",
                "Seconds a replica's data is behind its primary, from the newest replication observation", ReplicationObservation::getLagSeconds);
        replicaGauge(registry, "drpilot_replication_lag_bytes",
                "Bytes of WAL a replica has not replayed yet, from the newest replication observation", ReplicationObservation::getLagBytes);
        GaugeWithCallback.builder().name("drpilot_recovery_point_age_seconds")
                .help("Age of the newest point in time a backup observation proves recoverable (backup finish or newest archived WAL)")
                .labelNames("component")
                .callback(callback -> {
                    Instant now = clock.instant();
                    backups.forEachRecoveryPoint((component, point) -> callback.call(Duration.between(point, now).toMillis() / 1000.0, component));
                })
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_last_successful_backup_timestamp_seconds")
                .help("When the newest successful backup of a component finished, Unix time")
                .labelNames("component")
                .callback(callback -> backups.forEachGoodBackup((component, at) -> callback.call(at.toEpochMilli() / 1000.0, component)))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_last_failed_backup_timestamp_seconds")
                .help("When the newest failed backup of a component was reported, Unix time; a failure newer than the last success is unresolved")
                .labelNames("component")
                .callback(callback -> backups.forEachFailedBackup((component, at) -> callback.call(at.toEpochMilli() / 1000.0, component)))
                .register(registry);
        archivingFailing(registry);
        archivingGauge(registry, "drpilot_wal_unarchived_bytes",
                "Bytes of WAL a component's primary wrote after the end of its newest archived segment: lost with it if it failed now",
                ArchiverStatus::getUnarchivedBytes);
        archivingGauge(registry, "drpilot_wal_archive_waiting_bytes",
                "Of the unarchived WAL, the completed segments waiting for archive_command", ArchiverStatus::getWaitingSegmentBytes);
        targets(registry, config.components());
        failovers = Counter.builder().name("drpilot_failovers_total")
                .help("Failover runbooks that ended since this actuator started, by outcome (succeeded, failed, refused, dry_run)")
                .labelNames("cluster", "outcome").register(registry);
        failoverDuration = Histogram.builder().name("drpilot_failover_duration_seconds")
                .help("Recovery time of successful failovers: from the primary's failure being detected to the new primary taking writes")
                .labelNames("cluster").classicOnly()
                .classicUpperBounds(1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
                .register(registry);
        deadLettered = Counter.builder().name("drpilot_failover_records_deadlettered_total")
                .help("Failover commands and operators' instructions the failover could not read and sent to drpilot.deadletter, from its"
                        + " records on drpilot.actions")
                .labelNames("topic").register(registry);
        unreadable = Counter.builder().name("drpilot_metrics_records_unreadable_total")
                .help("Observation or action records the metrics feed could not read and left out of the figures")
                .labelNames("topic").register(registry);
        // Series that exist at zero before the first failover let increase() see the first one.
        for (String cluster : clusters.keySet()) {
            FAILOVER_OUTCOMES.forEach(outcome -> failovers.labelValues(cluster, outcome));
            failoverDuration.labelValues(cluster);
        }
    }

    // Like the replicas' series, a node whose evidence went stale has no role sample: "unknown" is no series, not a 1 that
    // could be summed or alerted on as if it were a role.
    private void topologyGauges(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("drpilot_node_role")
                .help("1 for each node's live role (primary, replica, fenced, rejoining, down), from observations, agents' leases and failover"
                        + " records, not the configuration; no series while the evidence is stale")
                .labelNames("cluster", "node", "role")
                .callback(callback -> nodes().forEach(node -> {
                    if (node.role() != LiveTopology.Role.UNKNOWN) {
                        callback.call(1, node.cluster(), node.node(), node.role().label());
                    }
                }))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_node_timeline")
                .help("The PostgreSQL timeline a node is on (a replica: the one it receives; a primary: the one it writes)")
                .labelNames("cluster", "node")
                .callback(callback -> nodes().forEach(node ->
                        node.timeline().ifPresent(timeline -> callback.call(timeline, node.cluster(), node.node()))))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_node_upstream_info")
                .help("1 for the node a replica streams from (its upstream)")
                .labelNames("cluster", "node", "upstream")
                .callback(callback -> nodes().forEach(node ->
                        node.upstream().ifPresent(upstream -> callback.call(1, node.cluster(), node.node(), upstream))))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_cluster_live_primaries")
                .help("How many nodes of a cluster take writes by the freshest evidence: 1 is healthy, 0 none, 2 or more a split brain")
                .labelNames("cluster")
                .callback(callback -> topology.view(clock.instant(), this::staleAfter).forEach(cluster -> {
                    if (cluster.nodes().stream().anyMatch(node -> node.role() != LiveTopology.Role.UNKNOWN)) {
                        callback.call(cluster.primaries().size(), cluster.name());
                    }
                }))
                .register(registry);
    }

    private List<LiveTopology.Node> nodes() {
        return topology.view(clock.instant(), this::staleAfter).stream().flatMap(cluster -> cluster.nodes().stream()).toList();
    }

    private void replicaGauge(PrometheusRegistry registry, String name, String help, Function<ReplicationObservation, Number> figure) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("component", "cluster", "node")
                .callback(callback -> replicas.current(clock.instant(), this::staleAfter).forEach(observation -> {
                    // No measurement (replica unreachable, nothing to compare) is no sample, not a zero that looks healthy.
                    Number value = figure.apply(observation);
                    if (value != null) {
                        callback.call(value.doubleValue(), observation.getComponent(), observation.getCluster(), observation.getReplicaNode());
                    }
                }))
                .register(registry);
    }

    /**
     * 1 while the primary's newest {@code archive_command} attempt failed, or the backup tool's newest view of the archive
     * reports a problem (a gap, a stanza in trouble), else 0. The tool's view is read every backup interval (minutes), so
     * it is not held to the replication staleness: its problem stands until the tool says otherwise.
     */
    private void archivingFailing(PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("drpilot_wal_archiving_failing")
                .help("1 while the newest archive_command attempt of a component's primary failed (pg_stat_archiver), or its backup"
                        + " tool reports a problem with the WAL archive (pgbackrest info, wal-g wal-verify), else 0")
                .labelNames("component", "cluster")
                .callback(callback -> {
                    Instant now = clock.instant();
                    java.util.Set<String> shown = new java.util.HashSet<>();
                    for (BackupLedger.Archiving reading : backups.archiving()) {
                        String cluster = reading.cluster() == null ? "" : reading.cluster();
                        if (!reading.observedAt().isBefore(now.minus(staleAfter(cluster)))) {
                            boolean failing = reading.status().getFailing() || !backups.archiveProblems(reading.component()).isEmpty();
                            callback.call(failing ? 1 : 0, reading.component(), cluster);
                            shown.add(reading.component());
                        }
                    }
                    for (BackupLedger.ToolArchive view : backups.toolArchives()) {
                        if (shown.add(view.component())) {
                            callback.call(backups.archiveProblems(view.component()).isEmpty() ? 0 : 1, view.component(),
                                    view.cluster() == null ? "" : view.cluster());
                        }
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_wal_archive_problems")
                .help("Problems the backup tool's newest view of a component's WAL archive reports (pgbackrest info, wal-g wal-verify)")
                .labelNames("component", "tool")
                .callback(callback -> backups.toolArchives().forEach(view -> callback.call(view.view().getProblems().size(), view.component(),
                        view.tool().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))))
                .register(registry);
    }

    // Like the replicas' series, an archiving reading older than the cluster's staleness is no sample: a collector that stopped
    // reading must not leave a healthy-looking 0 behind.
    private void archivingGauge(PrometheusRegistry registry, String name, String help, Function<ArchiverStatus, Number> figure) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("component", "cluster")
                .callback(callback -> {
                    Instant now = clock.instant();
                    for (BackupLedger.Archiving reading : backups.archiving()) {
                        String cluster = reading.cluster() == null ? "" : reading.cluster();
                        if (!reading.observedAt().isBefore(now.minus(staleAfter(cluster)))) {
                            callback.call(figure.apply(reading.status()).doubleValue(), reading.component(), cluster);
                        }
                    }
                })
                .register(registry);
    }

    private static void targets(PrometheusRegistry registry, List<Component> components) {
        Gauge rto = Gauge.builder().name("drpilot_rto_target_seconds")
                .help("Recovery time objective of a component, from the configuration").labelNames("component").register(registry);
        Gauge rpo = Gauge.builder().name("drpilot_rpo_target_seconds")
                .help("Recovery point objective of a component, from the configuration; absent when it has none").labelNames("component")
                .register(registry);
        for (Component component : components) {
            rto.labelValues(component.name()).set(component.rto().toMillis() / 1000.0);
            component.rpo().ifPresent(target -> rpo.labelValues(component.name()).set(target.toMillis() / 1000.0));
        }
    }

    /** How long a replica of this cluster keeps its series without a new observation. */
    public Duration staleAfter(String cluster) {
        return staleAfter(clusters, cluster);
    }

    /** The same, for readers without a registry ({@code drpilot status}): one staleness everywhere. */
    public static Duration staleAfter(Map<String, ClusterConfig> clusters, String cluster) {
        Duration byInterval = Optional.ofNullable(clusters.get(cluster))
                .map(config -> config.replicationInterval().multipliedBy(STALE_INTERVALS)).orElse(Duration.ZERO);
        return byInterval.compareTo(MIN_STALE) > 0 ? byInterval : MIN_STALE;
    }

    /** The longest time any replica keeps its series: how far back observations are worth reading at start. */
    public Duration longestStale() {
        return clusters.keySet().stream().map(this::staleAfter).max(Duration::compareTo).orElse(MIN_STALE);
    }

    public void accept(ReplicationObservation observation) {
        replicas.accept(observation);
        topology.accept(observation);
    }

    public void accept(HealthObservation observation) {
        topology.accept(observation);
    }

    public void accept(AgentLease lease) {
        topology.accept(lease);
    }

    /** Each node's live role: fed with every action record read (also those before this process started) by the feed. */
    public LiveTopology topology() {
        return topology;
    }

    public void accept(BackupObservation observation) {
        backups.accept(observation);
    }

    /** A drill's summary sets its gauges, however old (see {@link DrillMetrics}). */
    public void acceptDrill(ActionRecord record) {
        drills.accept(record);
    }

    public void accept(ActionRecord record) {
        if (record.getKind() == ActionKind.FAILOVER_REFUSED && DEAD_LETTER.equals(record.getName())) {
            deadLettered.labelValues(record.getAttributes().getOrDefault("topic", "unknown")).inc();
            return;
        }
        boolean summary = SUMMARY.equals(record.getName())
                && (record.getKind() == ActionKind.FAILOVER_SUMMARY || record.getKind() == ActionKind.FAILOVER_REFUSED);
        if (!summary || record.getCluster() == null) {
            return;
        }
        // Summaries written before the outcome attribute existed, or by the service itself (no such cluster), carry only a status.
        String outcome = Optional.ofNullable(record.getAttributes().get("outcome")).orElse(record.getStatus().name()).toLowerCase(Locale.ROOT);
        failovers.labelValues(record.getCluster(), outcome).inc();
        String rtoMillis = record.getAttributes().get("rtoMillis");
        if ("succeeded".equals(outcome) && rtoMillis != null) {
            try {
                failoverDuration.labelValues(record.getCluster()).observe(Long.parseLong(rtoMillis) / 1000.0);
            } catch (NumberFormatException e) {
                // The executor writes a long; anything else is a foreign record, whose failover still counted above.
                log.debug("failover summary {} has an unreadable rtoMillis {}", record.getActionId(), rtoMillis);
            }
        }
    }

    /** A record of this topic could not be read: it counts, and is otherwise left out. */
    public void unreadable(String topic) {
        unreadable.labelValues(topic).inc();
    }
}
