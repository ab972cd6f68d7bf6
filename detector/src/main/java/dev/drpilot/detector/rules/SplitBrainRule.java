package dev.drpilot.detector.rules;

import dev.drpilot.config.Thresholds;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.AlertLifecycle;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.alert.Evaluation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Severity;
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
public final class SplitBrainRule extends RuleProcessor<HealthObservation, Alert> {
    public static final String NAME = "split-brain";
    public static final String STORE = "node-roles";

    private KeyValueStore<String, Roles> roles;

    /** Each node's newest health observation in a cluster. */
    public static final class Roles {
        public Map<String, Claim> nodes = new TreeMap<>();
        public Instant newest;
    }

    public record Claim(boolean ok, NodeRole role, Instant at, String vantage) {
        boolean primary() {
            return ok && role == NodeRole.PRIMARY;
        }
    }

    public SplitBrainRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        roles = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, HealthObservation> record) {
        HealthObservation observation = record.value();
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
        Instant streamTime = Instant.ofEpochMilli(Math.max(context.currentStreamTimeMs(), record.timestamp()));
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
}
