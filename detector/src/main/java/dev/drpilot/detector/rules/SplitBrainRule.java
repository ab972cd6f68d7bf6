package dev.drpilot.detector.rules;

import dev.drpilot.config.Thresholds;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Severity;
import dev.drpilot.events.Source;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rule 6, split brain: two or more nodes of one cluster both answer as primary
 * ({@code pg_is_in_recovery() = false}) → CRITICAL. What counts is each node's newest observation
 * from any vantage, and only while it is fresh ({@code thresholds.evidenceMaxAge}): a primary that
 * died and was replaced answers no more, so its last "primary" before the crash is not a claim.
 * Only vantages' observations reach it (collectors, and ingest API sources configured as
 * vantages: the topology filters the rest), and freshness is judged no later than the stream time,
 * so an observation stamped in the future can neither stand as a claim nor make real claims stale.
 */
public final class SplitBrainRule extends RuleProcessor<SplitBrainInput, SplitBrainOutput> {
    public static final String NAME = "split-brain";
    public static final String STORE = "node-roles";

    private KeyValueStore<String, Roles> roles;

    /** Each node's newest health observation in a cluster, and what the cluster's failovers made of each node. */
    public static final class Roles {
        public Map<String, Claim> nodes = new TreeMap<>();
        public Instant newest;
        public Map<String, Standing> standing = new TreeMap<>();
    }

    /**
     * What the newest successful failover that named a node made of it: replaced (its {@code oldPrimary}) or promoted (its
     * {@code newPrimary}), and when the actuator last was asked to fence it.
     */
    public static final class Standing {
        public String incident;
        public Instant at;
        public boolean replaced;
        public String by;
        public Instant fenceRequestedAt;
    }

    public record Claim(boolean ok, NodeRole role, Instant at, String vantage) {
        boolean primary() {
            return ok && role == NodeRole.PRIMARY;
        }
    }

    public SplitBrainRule(Plant plant) {
        super(NAME, plant, SplitBrainOutput.Alerted::new);
    }

    @Override
    protected void initStores(ProcessorContext<String, SplitBrainOutput> context) {
        roles = context.getStateStore(STORE);
    }

    @Override
    protected void handle(Record<String, SplitBrainInput> record) {
        if (record.value() != null) {
            record.value().applyTo(this, record.timestamp());
        }
    }

    /** A failover's summary: the node it replaced and the one it promoted, unless a newer failover said otherwise of them. */
    void onFailover(ActionRecord summary) {
        Map<String, String> attributes = summary.getAttributes();
        if (summary.getKind() != ActionKind.FAILOVER_SUMMARY || summary.getStatus() != ActionStatus.SUCCEEDED || summary.getCluster() == null
                || summary.getFinishedAt() == null || !"SUCCEEDED".equals(attributes.get("outcome"))
                || FailoverMode.FENCE.name().equals(attributes.get("mode")) || !attributes.containsKey("newPrimary")) {
            return;
        }
        Roles known = roles.get(summary.getCluster());
        Roles state = known == null ? new Roles() : known;
        stand(state, attributes.get("oldPrimary"), summary, true);
        stand(state, attributes.get("newPrimary"), summary, false);
        roles.put(summary.getCluster(), state);
    }

    private static void stand(Roles state, String node, ActionRecord summary, boolean replaced) {
        Standing previous = node == null ? null : state.standing.get(node);
        if (node == null || previous != null && previous.at.isAfter(summary.getFinishedAt())) {
            return;
        }
        Standing standing = new Standing();
        standing.incident = summary.getIncidentId();
        standing.at = summary.getFinishedAt();
        standing.replaced = replaced;
        standing.by = summary.getAttributes().get("newPrimary");
        state.standing.put(node, standing);
    }

    void onProbe(HealthObservation observation, long timestamp) {
        if (observation == null || observation.getKind() != ProbeKind.POSTGRES || observation.getCluster() == null
                || observation.getNode() == null) {
            return;
        }
        String cluster = observation.getCluster();
        Roles known = roles.get(cluster);
        Roles state = known == null ? new Roles() : known;
        Claim previous = state.nodes.get(observation.getNode());
        Instant at = observation.getObservedAt();
        Thresholds thresholds = plant.thresholds(observation.getComponent());
        // Judged against the stream time (when Kafka received the records), which no observation's stamp can move.
        Instant streamTime = Instant.ofEpochMilli(Math.max(context.currentStreamTimeMs(), timestamp));
        if (previous != null && at.isBefore(previous.at()) || at.isAfter(streamTime.plus(thresholds.evidenceMaxAge()))) {
            return;
        }
        // A read-only (fenced) primary is recorded as no claim: it takes no writes beside the new one.
        NodeRole role = Claims.writablePrimary(observation) ? NodeRole.PRIMARY : observation.getOk() && observation.getRole() == NodeRole.PRIMARY
                ? NodeRole.UNKNOWN : observation.getRole();
        state.nodes.put(observation.getNode(), new Claim(observation.getOk(), role, at, observation.getSource().getVantage()));
        if (state.newest == null || at.isAfter(state.newest)) {
            state.newest = at;
        }
        roles.put(cluster, state);
        replacedButWritable(state, observation, thresholds);

        Instant cutoff = (state.newest.isAfter(streamTime) ? streamTime : state.newest).minus(thresholds.evidenceMaxAge());
        List<String> primaries = state.nodes.entrySet().stream()
                .filter(entry -> entry.getValue().primary() && !entry.getValue().at().isBefore(cutoff))
                .map(Map.Entry::getKey).toList();
        boolean split = primaries.size() >= 2;
        String component = observation.getComponent();
        AlertDraft draft = new AlertDraft(NAME, "SplitBrain", Alerts.identity("component", component, "cluster", cluster),
                "Split brain in " + cluster + ": " + (split ? String.join(" and ", primaries) + " both act as primary" : "resolved"),
                split ? "Nodes " + String.join(", ", primaries) + " of " + cluster + " all answer as primary (not in recovery). "
                        + "Writes may be going to more than one of them: fence all but one now."
                        : "Only " + (primaries.isEmpty() ? "no node" : primaries.get(0)) + " answers as primary now.",
                (double) primaries.size(), 1.0, "primaries", null);
        if (!split && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        book.evaluate(draft, new AlertLifecycle(Duration.ZERO, thresholds.resolveHold()),
                new Evaluation(at, split, split, Severity.CRITICAL), wallClock());
    }

    /**
     * A node that a standing failover replaced answers as a writable primary again, after that failover: split brain even when
     * nothing else answers as primary (the new one may be down). CRITICAL, one alert per node, and a {@code FENCE} command for
     * the actuator — again every {@code thresholds.evidenceMaxAge} while it goes on; one incident per node and failover, so a
     * repeated sighting is the same incident. {@code readOnly} does not count here: any session can switch that off.
     */
    private void replacedButWritable(Roles state, HealthObservation observation, Thresholds thresholds) {
        String node = observation.getNode();
        String cluster = observation.getCluster();
        Instant at = observation.getObservedAt();
        Standing standing = state.standing.get(node);
        boolean sighted = standing != null && standing.replaced && at.isAfter(standing.at) && observation.getOk()
                && observation.getRole() == NodeRole.PRIMARY;
        String component = observation.getComponent();
        AlertDraft draft = new AlertDraft(NAME, "SplitBrain", Alerts.identity("component", component, "cluster", cluster, "node", node),
                "Split brain in " + cluster + ": " + node + (sighted ? ", replaced by failover " + standing.incident + ", takes writes again"
                        : " no longer takes writes"),
                sighted ? node + " was the primary of " + cluster + " until failover " + standing.incident + " promoted " + standing.by
                        + "; it answers as a writable primary again (restarted as it was, or back from a partition). Writes sent to it are"
                        + " lost to the cluster. drpilot fences it now (incident " + fenceIncident(node, standing) + "); check that it is"
                        + " fenced and reconcile what it took."
                        : node + " answers no more as a writable primary.",
                sighted ? 1.0 : 0.0, 1.0, "writable", null);
        if (!sighted && book.state(draft.fingerprint()).isEmpty()) {
            return;
        }
        book.evaluate(draft, new AlertLifecycle(Duration.ZERO, thresholds.resolveHold()), new Evaluation(at, sighted, sighted, Severity.CRITICAL),
                wallClock());
        if (!sighted || standing.fenceRequestedAt != null && at.isBefore(standing.fenceRequestedAt.plus(thresholds.evidenceMaxAge()))) {
            return;
        }
        standing.fenceRequestedAt = at;
        roles.put(cluster, state);
        String incident = fenceIncident(node, standing);
        FailoverCommand command = FailoverCommand.newBuilder()
                .setCommandId(incident + "/" + at.toEpochMilli())
                .setIncidentId(incident)
                .setCluster(cluster)
                .setComponent(component)
                .setFailedNode(node)
                .setReason(node + ", replaced by failover " + standing.incident + ", answers as a writable primary again")
                .setMode(FailoverMode.FENCE)
                .setDetectedAt(at)
                .setIssuedAt(wallClock())
                .setEvidence(List.of(Source.newBuilder().setCollectorId(observation.getSource().getCollectorId())
                        .setVantage(observation.getSource().getVantage()).build()))
                .build();
        context.forward(new Record<>(cluster, new SplitBrainOutput.Fence(command), wallClock().toEpochMilli()));
    }

    private static String fenceIncident(String node, Standing standing) {
        return "fence-" + node + "-after-" + standing.incident;
    }
}
