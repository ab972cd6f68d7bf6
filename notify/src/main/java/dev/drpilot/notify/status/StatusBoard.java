package dev.drpilot.notify.status;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.notify.metrics.PlantMetricsFeed;
import dev.drpilot.notify.metrics.BackupLedger;
import dev.drpilot.notify.metrics.ReplicaObservations;
import dev.drpilot.notify.topology.LiveTopology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The status page's model: every configured component with its targets and current figures, the
 * open alerts and the recent failovers, fed from the topics the metrics feeds read. One lock
 * guards it all: the page reads it every few seconds and a snapshot must not mix before and after
 * of one event.
 */
public final class StatusBoard implements PlantMetricsFeed.Listener {
    /** How far back the failover timelines reach at start: failovers of the past week stay on the page across restarts. */
    public static final Duration FAILOVER_LOOKBACK = Duration.ofDays(7);
    /** The most recent failovers shown; older ones are in {@code drpilot failover history}. */
    static final int FAILOVERS_SHOWN = 20;

    private final DrpilotConfig config;
    private final Clock clock;
    private final Function<String, Duration> staleAfter;
    private final ReplicaObservations replicas = new ReplicaObservations();
    private final BackupLedger backups = new BackupLedger();
    private final Map<String, Alert> open = new LinkedHashMap<>();
    private final FailoverTimelines failovers = new FailoverTimelines(FAILOVERS_SHOWN);
    private final LiveTopology topology;
    private final DrillsSection drills;
    // What holds an open alert back from its receivers (a silence, a maintenance window, an inhibition), if anything.
    private volatile Function<Alert, Optional<String>> mutedBy = alert -> Optional.empty();
    private final RestoreChecksSection restoreChecks;

    /**
     * @param staleAfter how long a replica of this cluster is shown without a new observation (as on {@code /metrics})
     */
    public StatusBoard(DrpilotConfig config, Clock clock, Function<String, Duration> staleAfter) {
        this(config, clock, staleAfter, new LiveTopology(config));
    }

    /**
     * @param topology each node's live role, fed by whoever feeds {@code /metrics} (the board only reads it, so that the page and
     *                 {@code /metrics} show one truth)
     */
    public StatusBoard(DrpilotConfig config, Clock clock, Function<String, Duration> staleAfter, LiveTopology topology) {
        this.config = config;
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.topology = topology;
        this.drills = new DrillsSection(config);
        this.restoreChecks = new RestoreChecksSection(config);
    }

    @Override
    public synchronized void accept(ReplicationObservation observation) {
        replicas.accept(observation);
    }

    @Override
    public synchronized void accept(BackupObservation observation) {
        backups.accept(observation);
    }

    public synchronized void accept(Alert alert) {
        if (alert.getStatus() == AlertStatus.FIRING) {
            open.put(alert.getFingerprint(), alert);
        } else {
            open.remove(alert.getFingerprint());
        }
    }

    @Override
    public synchronized void accept(ActionRecord record) {
        failovers.accept(record);
        drills.accept(record);
    }

    /** Marks open alerts held back by silences, maintenance windows or inhibition, with what holds each back. */
    public void showMutes(Function<Alert, Optional<String>> mutedBy) {
        this.mutedBy = mutedBy;
    }

    public synchronized void accept(RestoreCheck check) {
        restoreChecks.accept(check);
    }

    /** The "Restore checks" section of the page, as of now. */
    public synchronized String restoreChecksSection() {
        return restoreChecks.html(clock.instant());
    }

    /** The sections rendered apart from the snapshot: the drills, then the restore checks. */
    public String extraSections() {
        return drillsSection() + restoreChecksSection();
    }

    /** The "Drills" section of the page, as of now. */
    public synchronized String drillsSection() {
        return drills.html(clock.instant());
    }

    public synchronized StatusSnapshot snapshot() {
        Instant now = clock.instant();
        List<ReplicationObservation> current = replicas.current(now, staleAfter);
        List<LiveTopology.Cluster> live = topology.view(now, staleAfter);
        List<StatusSnapshot.ComponentRow> rows = config.components().stream().map(component -> row(component, current, live, now)).toList();
        List<StatusSnapshot.OpenAlert> alerts = open.values().stream()
                .sorted(Comparator.comparing((Alert alert) -> alert.getSeverity().ordinal()).reversed().thenComparing(Alert::getStartsAt))
                .map(alert -> openAlert(alert, now, mutedBy.apply(alert).orElse(null))).toList();
        return new StatusSnapshot(now.toString(), Figures.time(now), rows, alerts, failovers.view(),
                TopologyRows.of(live, now));
    }

    private StatusSnapshot.ComponentRow row(Component component, List<ReplicationObservation> replicasNow, List<LiveTopology.Cluster> live,
                                            Instant now) {
        String name = component.name();
        List<ReplicationObservation> observed = replicasNow.stream().filter(observation -> observation.getComponent().equals(name)).toList();
        List<Alert> alerts = open.values().stream().filter(alert -> name.equals(alert.getComponent())).toList();
        Optional<Instant> recoveryPoint = backups.recoveryPoint(name);
        Optional<Instant> good = backups.lastGoodBackup(name);
        Optional<Instant> failed = backups.lastFailedBackup(name);
        StateRules.Verdict verdict = StateRules.evaluate(component, new StateRules.Inputs(observed, recoveryPoint, good, failed, alerts), now);
        Optional<ClusterConfig> cluster = cluster(component);
        Double recoveryAge = recoveryPoint.map(point -> Duration.between(point, now).toMillis() / 1000.0).orElse(null);
        return new StatusSnapshot.ComponentRow(name, component.kind().name().toLowerCase(Locale.ROOT), cluster.map(ClusterConfig::name).orElse(null),
                cluster.map(found -> nodes(found, live)).orElse(List.of()),
                component.rto().toSeconds(), Figures.target(component.rto()),
                component.rpo().map(Duration::toSeconds).orElse(null), component.rpo().map(Figures::target).orElse("none"),
                verdict.state(), verdict.reasons(), observed.stream().map(StatusBoard::replica).toList(),
                recoveryAge, recoveryAge == null ? null : Figures.duration(recoveryAge),
                good.map(Instant::toString).orElse(null), good.map(at -> Figures.timeAndAge(at, now)).orElse(null),
                failed.map(Instant::toString).orElse(null), failed.map(at -> Figures.timeAndAge(at, now)).orElse(null));
    }

    private Optional<ClusterConfig> cluster(Component component) {
        Optional<ClusterConfig> named = component.cluster().map(config.clusters()::get);
        return named.isPresent() ? named
                : config.clusters().values().stream().filter(cluster -> component.name().equals(cluster.component()))
                .min(Comparator.comparing(ClusterConfig::name));
    }

    /**
     * The cluster's nodes with the live primary marked ({@code pg-2 (primary)}); while no node's live role is known, the configured
     * one, said to be only that ({@code pg-1 (configured primary)}): the configuration is a plan, not what runs.
     */
    private static List<String> nodes(ClusterConfig cluster, List<LiveTopology.Cluster> live) {
        Optional<LiveTopology.Cluster> known = live.stream().filter(found -> found.name().equals(cluster.name()))
                .filter(found -> found.nodes().stream().anyMatch(node -> node.role() != LiveTopology.Role.UNKNOWN)).findFirst();
        if (known.isPresent()) {
            return cluster.nodes().stream().map(node -> known.get().primaries().contains(node.name()) ? node.name() + " (primary)" : node.name())
                    .toList();
        }
        return cluster.nodes().stream().map(node -> node.role() == NodeConfig.Role.PRIMARY ? node.name() + " (configured primary)" : node.name())
                .toList();
    }

    private static StatusSnapshot.ReplicaRow replica(ReplicationObservation observation) {
        String text = observation.getReplicaNode() + ": " + Figures.lag(observation.getLagSeconds(), observation.getLagBytes())
                + (observation.getStreaming() ? "" : " (not streaming)");
        return new StatusSnapshot.ReplicaRow(observation.getCluster(), observation.getReplicaNode(), observation.getLagSeconds(),
                observation.getLagBytes(), text, observation.getObservedAt().toString());
    }

    private static StatusSnapshot.OpenAlert openAlert(Alert alert, Instant now, String silencedBy) {
        Map<String, String> annotations = alert.getAnnotations();
        String summary = Optional.ofNullable(annotations.get("summary")).orElse(annotations.getOrDefault("description", ""));
        return new StatusSnapshot.OpenAlert(alert.getFingerprint(), alert.getRule(), alert.getComponent(), StateRules.severity(alert), summary,
                alert.getStartsAt().toString(), Figures.timeAndAge(alert.getStartsAt(), now), Html.safeLink(annotations.get("runbook_url")), silencedBy);
    }
}
