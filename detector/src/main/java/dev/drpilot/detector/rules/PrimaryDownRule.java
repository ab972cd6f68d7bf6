package dev.drpilot.detector.rules;

import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.FailoverSettings;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import dev.drpilot.events.Source;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Rule 4, primary down: the cluster's primary fails its health probes from a quorum of distinct
 * fresh vantages ({@code failover.quorum}, default 2; fewer vantages reporting never lower it —
 * then the rule pages {@code primary-unconfirmed} instead and does not fail over), each probe vantage
 * with {@code failover.holdProbes} consecutive failures (default 3), a replica whose WAL receiver
 * lost the primary counting as a vantage too. One vantage, or a blip shorter than the hold, is not
 * enough. On confirmation: a CRITICAL alert and, unless the cluster's failover mode is {@code off},
 * exactly one {@link FailoverCommand} for the new incident. The incident lives in the changelogged
 * store in the same transaction as the command (exactly-once v2), so a restart or rebalance can
 * neither lose the command nor issue a second one; the incident id is derived from the cluster
 * and the first failure, so even a replay names the same incident.
 *
 * <p>The node's own agent (configured under the node's {@code agent:}, its id {@code agent:<cluster>/<node>}) is a
 * vantage on the host: its {@code down} with one remote vantage seeing the node fail confirms at once; its
 * {@code not-answering} is one failed vantage after the blip tolerance; its fresh {@code up} holds a quorum back and
 * pages {@code primary-unconfirmed} instead (see {@link PrimaryWatch}).
 *
 * <p>Input: health observations of PostgreSQL probes and replication observations, keyed by cluster,
 * from collectors and from ingest API sources configured as vantages only (the topology filters the rest).
 * Freshness is judged at the cluster's newest observation but never later than the stream time
 * (when Kafka received the records), and an observation stamped more than {@code evidenceMaxAge}
 * after the stream time is no evidence: a record stamped in the future can make no honest one stale.
 */
public final class PrimaryDownRule extends RuleProcessor<PrimaryDownInput, PrimaryDownOutput> {
    private static final Logger log = LoggerFactory.getLogger(PrimaryDownRule.class);
    public static final String NAME = "primary-down";
    public static final String STORE = "primary-watch";
    private static final DateTimeFormatter INCIDENT_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private KeyValueStore<String, PrimaryWatch> watches;
    private Instant streamTime = Instant.MIN;

    public PrimaryDownRule(Plant plant) {
        super(NAME, plant, PrimaryDownOutput.Alerted::new);
    }

    @Override
    protected void initStores(ProcessorContext<String, PrimaryDownOutput> context) {
        watches = context.getStateStore(STORE);
    }

    @Override
    protected void handle(Record<String, PrimaryDownInput> record) {
        if (record.value() != null) {
            streamTime = Instant.ofEpochMilli(Math.max(context.currentStreamTimeMs(), record.timestamp()));
            record.value().applyTo(this);
        }
    }

    void onHealth(HealthObservation observation) {
        if (observation == null || observation.getKind() != ProbeKind.POSTGRES || observation.getCluster() == null || observation.getNode() == null) {
            return;
        }
        if (fromTheFuture(observation.getObservedAt(), observation.getComponent())) {
            return;
        }
        String cluster = observation.getCluster();
        PrimaryWatch watch = load(cluster);
        String node = observation.getNode();
        if (plant.countsAsAgentEvidence(observation.getSource().getCollectorId(), cluster, node)) {
            onAgent(watch, observation);
            return;
        }
        boolean claimsPrimary = Claims.writablePrimary(observation);
        if (!node.equals(watch.primary)) {
            if (claimsPrimary && (watch.newest == null || !observation.getObservedAt().isBefore(watch.now(streamTime).minus(
                    plant.thresholds(observation.getComponent()).evidenceMaxAge())))) {
                changePrimary(watch, cluster, observation.getComponent(), node, observation.getObservedAt());
                watches.put(cluster, watch);
            }
            return;
        }
        // An error the server answered with (a refused login, no free slot, starting up) is an answer: it is alive and may
        // still serve its sessions, so it resets this vantage like a success; the database-refuses rule pages about it.
        boolean noAnswer = !observation.getOk() && !observation.getAnswered();
        // The node held for primary answering in recovery takes no writes: its agent fenced it (fence: demote), or someone
        // demoted it without promoting another. No primary answers — a failure of this vantage, with the blip tolerance (a
        // switchover's demoted primary is followed within moments by a new primary's claim, which moves the watch on).
        boolean inRecovery = observation.getOk() && observation.getRole() == NodeRole.REPLICA;
        String detail = inRecovery ? "answered in recovery (takes no writes)"
                : observation.getOk() ? "answered as " + observation.getRole()
                : noAnswer ? "probe " + observation.getProbe() + " failed: " + observation.getError()
                : "answered with SQLSTATE " + observation.getSqlState() + " (alive)";
        Source source = observation.getSource();
        if (watch.see("probe:" + source.getVantage(), source.getCollectorId(), source.getVantage(), false, noAnswer || inRecovery,
                observation.getObservedAt(), detail)) {
            decide(watch, cluster, observation.getComponent(), observation.getObservedAt());
            watches.put(cluster, watch);
        }
    }

    /**
     * The node's own agent: only about the node the rule holds for primary (who is primary is the remote vantages' to
     * say). Any other "agent:" id never reaches this rule: the topology lets only a node's own configured agent through.
     */
    private void onAgent(PrimaryWatch watch, HealthObservation observation) {
        String node = observation.getNode();
        if (!node.equals(watch.primary)) {
            return;
        }
        AgentVerdict verdict = AgentVerdict.aboutPrimary(observation);
        String postmaster = observation.getDetails() == null ? null : observation.getDetails().get("postmaster");
        String detail = "agent verdict " + verdict.label() + (postmaster == null ? "" : " (postmaster " + postmaster + ")");
        Duration vouchesFor = plant.agentObservationInterval(observation.getCluster(), node).orElse(Duration.ZERO).plus(PrimaryWatch.AGENT_SLACK);
        Source source = observation.getSource();
        if (watch.seeAgent("agent:" + node, source.getCollectorId(), source.getVantage(), verdict, vouchesFor, observation.getObservedAt(), detail)) {
            decide(watch, observation.getCluster(), observation.getComponent(), observation.getObservedAt());
            watches.put(observation.getCluster(), watch);
        }
    }

    void onReplication(ReplicationObservation observation) {
        if (observation == null || !Boolean.TRUE.equals(observation.getInRecovery())) {
            return;   // the replica did not answer, or is no replica: it has no view of the primary
        }
        if (fromTheFuture(observation.getObservedAt(), observation.getComponent())) {
            return;
        }
        boolean lost = !"streaming".equals(observation.getWalReceiverStatus());
        String cluster = observation.getCluster();
        String key = "replica:" + observation.getReplicaNode();
        PrimaryWatch existing = watches.get(cluster);
        if (!lost && existing != null && existing.vantages.containsKey(key) && existing.vantages.get(key).failures == 0
                && existing.vantages.get(key).lastAt != null
                && existing.vantages.get(key).lastAt.plus(plant.thresholds(observation.getComponent()).evidenceMaxAge().dividedBy(3))
                        .isAfter(observation.getObservedAt())) {
            // The common case: a replica still streaming, recorded as such recently enough to count as a
            // reporting vantage. Skipping the write keeps the busiest input cheap.
            return;
        }
        PrimaryWatch watch = existing == null ? fresh(cluster) : existing;
        if (watch.primary == null || watch.primary.equals(observation.getReplicaNode())) {
            return;
        }
        String detail = lost ? "WAL receiver of " + observation.getReplicaNode() + " is "
                + (observation.getWalReceiverStatus() == null ? "not running" : observation.getWalReceiverStatus()) : "streaming";
        Source source = observation.getSource();
        if (watch.see(key, source.getCollectorId(), "replica " + observation.getReplicaNode(), true, lost, observation.getObservedAt(), detail)) {
            decide(watch, cluster, observation.getComponent(), observation.getObservedAt());
            watches.put(cluster, watch);
        }
    }

    /** Stamped further ahead of the stream time than the freshness window: a wrong clock or a forgery, not evidence. */
    private boolean fromTheFuture(Instant observedAt, String component) {
        boolean future = observedAt.isAfter(streamTime.plus(plant.thresholds(component).evidenceMaxAge()));
        if (future) {
            log.debug("[rule={}] ignored an observation stamped {} while the stream time is {}", NAME, observedAt, streamTime);
        }
        return future;
    }

    private PrimaryWatch load(String cluster) {
        PrimaryWatch watch = watches.get(cluster);
        return watch == null ? fresh(cluster) : watch;
    }

    private PrimaryWatch fresh(String cluster) {
        PrimaryWatch watch = new PrimaryWatch();
        watch.primary = plant.configuredPrimary(cluster).orElse(null);
        return watch;
    }

    private void decide(PrimaryWatch watch, String cluster, String component, Instant at) {
        FailoverSettings failover = plant.failover(cluster);
        var maxAge = plant.thresholds(component).evidenceMaxAge();
        Instant now = watch.now(streamTime);
        if (watch.incident == null) {
            List<PrimaryWatch.Vantage> confirming = watch.confirming(failover.quorum(), failover.holdProbes(), now, maxAge);
            if (!confirming.isEmpty()) {
                open(watch, cluster, component, confirming, at, failover);
            }
        } else if (watch.incident.node.equals(watch.primary) && watch.recovered(now, maxAge)) {
            close(watch, cluster, component, at, "answers again");
        }
        List<PrimaryWatch.Vantage> seeing = watch.incident == null
                ? watch.unconfirmed(failover.quorum(), failover.holdProbes(), now, maxAge) : List.of();
        List<PrimaryWatch.Vantage> heldBack = watch.incident == null
                ? watch.heldBack(failover.quorum(), failover.holdProbes(), now, maxAge) : List.of();
        if (!heldBack.isEmpty()) {
            PrimaryWatch.Vantage agent = watch.fresh(now, maxAge).stream().filter(v -> v.agent).findFirst().orElseThrow();
            unconfirmed(cluster, component, watch.primary, heldBack,
                    PrimaryUnconfirmed.heldBack(cluster, component, watch.primary, heldBack, agent), at);
        } else {
            unconfirmed(cluster, component, watch.primary, seeing,
                    PrimaryUnconfirmed.draft(cluster, component, watch.primary, seeing, failover.quorum()), at);
        }
    }

    /** Pages while the primary looks down but cannot be confirmed; resolves when that no longer holds. */
    private void unconfirmed(String cluster, String component, String node, List<PrimaryWatch.Vantage> seeing, AlertDraft draft, Instant at) {
        if (!seeing.isEmpty()) {
            Instant since = seeing.stream().map(v -> v.firstFailureAt).filter(Objects::nonNull).min(Comparator.naturalOrder()).orElse(at);
            book.fire(draft, since, Severity.CRITICAL, wallClock()).ifPresent(alert ->
                    log.warn("[rule={} cluster={}] {}", PrimaryUnconfirmed.NAME, cluster, draft.description()));
        } else if (book.isFiring(draft.fingerprint())) {
            book.resolve(draft.withText(draft.summary(), "Primary " + node + " of " + cluster
                    + ": a vantage sees it answer, a quorum confirmed the failure, or another node is primary."), at, wallClock());
        }
    }

    private void open(PrimaryWatch watch, String cluster, String component, List<PrimaryWatch.Vantage> confirming, Instant at,
                      FailoverSettings failover) {
        Instant detectedAt = confirming.stream().map(v -> v.firstFailureAt).min(Comparator.naturalOrder()).orElse(at);
        PrimaryWatch.Incident incident = new PrimaryWatch.Incident();
        incident.id = cluster + "-" + INCIDENT_TIME.format(detectedAt);
        incident.node = watch.primary;
        incident.detectedAt = detectedAt;
        incident.confirmedAt = at;
        incident.evidence = confirming.stream().map(PrimaryWatch.Vantage::describe).toList();
        watch.incident = incident;
        int reporting = watch.fresh(watch.now(streamTime), plant.thresholds(component).evidenceMaxAge()).size();
        boolean agentCertain = confirming.stream().anyMatch(v -> v.agent && v.certainSince != null);
        String reason = "primary " + incident.node + " of " + cluster + " unreachable from " + confirming.size() + " of " + reporting
                + " vantages since " + detectedAt + (agentCertain ? " (its agent on the host sees no postmaster: certain, with one remote vantage)" : "")
                + ": " + String.join("; ", incident.evidence);
        Instant now = wallClock();
        book.fire(draft(cluster, component, incident, "Primary " + incident.node + " of " + cluster + " is down",
                reason + (failover.mode() == FailoverSettings.Mode.OFF ? ". Automatic failover is off for this cluster."
                        : ". Failover (" + ConfigNames.of(failover.mode()) + ") requested as incident " + incident.id + ".")),
                detectedAt, Severity.CRITICAL, now);
        log.warn("[rule={} cluster={} incident={}] {}", NAME, cluster, incident.id, reason);
        context.forward(new Record<>(cluster, new IncidentEvent(incident.id, NAME, component, cluster, incident.node,
                "primary " + incident.node + " down", detectedAt, null), now.toEpochMilli()));
        if (failover.mode() != FailoverSettings.Mode.OFF) {
            FailoverCommand command = FailoverCommand.newBuilder()
                    .setCommandId(incident.id + "/failover")
                    .setIncidentId(incident.id)
                    .setCluster(cluster)
                    .setComponent(component)
                    .setFailedNode(incident.node)
                    .setReason(reason)
                    .setMode(mode(failover.mode()))
                    .setDetectedAt(detectedAt)
                    .setIssuedAt(now)
                    .setEvidence(confirming.stream().map(v -> Source.newBuilder().setCollectorId(v.collectorId == null ? "" : v.collectorId)
                            .setVantage(v.vantage).build()).collect(Collectors.toList()))
                    .build();
            context.forward(new Record<>(cluster, new PrimaryDownOutput.Commanded(command), now.toEpochMilli()));
        }
    }

    private void changePrimary(PrimaryWatch watch, String cluster, String component, String node, Instant at) {
        if (watch.incident != null) {
            close(watch, cluster, component, at, "was replaced: " + node + " is primary now");
        }
        if (watch.primary != null) {
            log.info("[rule={} cluster={}] primary is now {} (was {})", NAME, cluster, node, watch.primary);
            unconfirmed(cluster, component, watch.primary, List.of(),
                    PrimaryUnconfirmed.draft(cluster, component, watch.primary, List.of(), plant.failover(cluster).quorum()), at);
        }
        watch.newPrimary(node);
        watch.touch(at);
    }

    private void close(PrimaryWatch watch, String cluster, String component, Instant at, String how) {
        PrimaryWatch.Incident incident = watch.incident;
        watch.incident = null;
        Instant now = wallClock();
        book.resolve(draft(cluster, component, incident, "Primary " + incident.node + " of " + cluster + " is down",
                "Primary " + incident.node + " of " + cluster + " " + how + " (incident " + incident.id + ", down since "
                        + incident.detectedAt + ")."), at, now);
        log.info("[rule={} cluster={} incident={}] closed: {} {}", NAME, cluster, incident.id, incident.node, how);
        context.forward(new Record<>(cluster, new IncidentEvent(incident.id, NAME, component, cluster, incident.node,
                "primary " + incident.node + " down", incident.detectedAt, at), now.toEpochMilli()));
    }

    private static AlertDraft draft(String cluster, String component, PrimaryWatch.Incident incident, String summary, String description) {
        return new AlertDraft(NAME, "PrimaryDown", Alerts.identity("component", component, "cluster", cluster, "node", incident.node),
                summary, description, null, null, null, incident.id);
    }

    private static FailoverMode mode(FailoverSettings.Mode mode) {
        return switch (mode) {
            case AUTO -> FailoverMode.AUTO;
            case DRY_RUN -> FailoverMode.DRY_RUN;
            case MANUAL -> FailoverMode.MANUAL;
            case OFF -> FailoverMode.UNKNOWN;
        };
    }
}
