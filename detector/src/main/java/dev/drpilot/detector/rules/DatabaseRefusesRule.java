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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rule 9, database refuses: a PostgreSQL node answers its probes with an error (a refused login,
 * no free connection slot, starting up, ...) {@code thresholds.probeFailures} (3) times in a row
 * from one vantage → CRITICAL when it is the primary (it pages), WARNING for a replica. The node is
 * alive — it answered — so this never starts a failover (the primary-down rule counts such an
 * answer as one), but nobody sees it while it refuses, which on-call must hear about. It resolves
 * once no vantage's newest answer is an error, for {@code resolveHold}. A probe that got no answer
 * at all is the primary-down rule's business and neither raises nor clears this.
 *
 * <p>The role is the one the node last answered with, else the configured one (a node that has
 * refused since the detector started has told nothing else).
 */
public final class DatabaseRefusesRule extends RuleProcessor<HealthObservation, Alert> {
    public static final String NAME = "database-refuses";
    public static final String STORE = "refusals";

    private KeyValueStore<String, Refusals> refusals;

    /** One node's answers lately: its role when it last answered normally, and each vantage's streak of errors. */
    public static final class Refusals {
        public NodeRole role;
        public Map<String, Streak> vantages = new TreeMap<>();
    }

    /** @param errors consecutive error answers from one vantage; 0 after a normal answer */
    public record Streak(int errors, Instant at, String sqlState, String message) {
    }

    public DatabaseRefusesRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        refusals = context.getStateStore(STORE);
    }

    @Override
    protected void handle(Record<String, HealthObservation> record) {
        HealthObservation observation = record.value();
        if (observation == null || observation.getKind() != ProbeKind.POSTGRES || observation.getCluster() == null
                || observation.getNode() == null || !(observation.getOk() || observation.getAnswered())) {
            return;
        }
        String cluster = observation.getCluster();
        String node = observation.getNode();
        String key = cluster + "/" + node;
        Refusals known = refusals.get(key);
        boolean refused = !observation.getOk();
        if (known == null && !refused && observation.getRole() == configuredRole(cluster, node)) {
            return;   // the common case: a node answering normally, as configured, with nothing on record
        }
        Refusals state = known == null ? new Refusals() : known;
        String vantage = observation.getSource().getVantage();
        Streak last = state.vantages.get(vantage);
        Instant at = observation.getObservedAt();
        if (last != null && at.isBefore(last.at())) {
            return;   // late: a newer answer from this vantage is already counted
        }
        if (refused) {
            state.vantages.put(vantage, new Streak(last == null ? 1 : last.errors() + 1, at, observation.getSqlState(), observation.getError()));
        } else if (last != null && last.errors() == 0 && observation.getRole() == state.role) {
            evaluate(state, observation, at);   // nothing new to keep: a resolve hold may still be running
            return;
        } else {
            state.role = observation.getRole();
            state.vantages.put(vantage, new Streak(0, at, null, null));
        }
        refusals.put(key, state);
        evaluate(state, observation, at);
    }

    private void evaluate(Refusals state, HealthObservation observation, Instant at) {
        String component = observation.getComponent();
        String cluster = observation.getCluster();
        String node = observation.getNode();
        Thresholds thresholds = plant.thresholds(component);
        AlertDraft identityOnly = draft(component, cluster, node, "", "", 0);
        Instant newest = state.vantages.values().stream().map(Streak::at).max(Comparator.naturalOrder()).orElse(at);
        Instant cutoff = newest.minus(thresholds.evidenceMaxAge());
        List<Map.Entry<String, Streak>> refusing = state.vantages.entrySet().stream()
                .filter(entry -> entry.getValue().errors() > 0 && !entry.getValue().at().isBefore(cutoff))
                .sorted(Comparator.comparingInt((Map.Entry<String, Streak> entry) -> entry.getValue().errors()).reversed())
                .toList();
        boolean holds = !refusing.isEmpty() && refusing.get(0).getValue().errors() >= thresholds.probeFailures();
        if (refusing.isEmpty() && book.state(identityOnly.fingerprint()).isEmpty()) {
            return;
        }
        NodeRole role = Optional.ofNullable(state.role).orElse(configuredRole(cluster, node));
        boolean primary = role == NodeRole.PRIMARY;
        AlertDraft draft;
        if (refusing.isEmpty()) {
            draft = draft(component, cluster, node, (primary ? "Primary " : "Replica ") + node + " of " + cluster + " answers its probes again",
                    node + " answers drpilot's probes normally again.", 0);
        } else {
            Streak worst = refusing.get(0).getValue();
            String vantages = String.join(", ", refusing.stream().map(entry -> entry.getKey() + " (" + entry.getValue().errors() + " in a row)").toList());
            draft = draft(component, cluster, node,
                    (primary ? "Primary " : "Replica ") + node + " of " + cluster + " refuses drpilot's probes: SQLSTATE " + worst.sqlState(),
                    node + " (" + (primary ? "primary" : "replica") + ") of " + cluster + " answers drpilot's probes with an error from "
                            + vantages + ": SQLSTATE " + worst.sqlState() + ": " + worst.message() + ". " + SqlStateMeanings.of(worst.sqlState())
                            + " It answered, so it is alive: this starts no failover, and drpilot cannot see its health while it refuses.",
                    worst.errors());
        }
        book.evaluate(draft, new AlertLifecycle(Duration.ZERO, thresholds.resolveHold()),
                new Evaluation(at, holds, !refusing.isEmpty(), primary ? Severity.CRITICAL : Severity.WARNING), wallClock());
    }

    private static AlertDraft draft(String component, String cluster, String node, String summary, String description, int errors) {
        return new AlertDraft(NAME, "DatabaseRefuses", Alerts.identity("component", component, "cluster", cluster, "node", node),
                summary, description, (double) errors, null, "answers", null);
    }

    private NodeRole configuredRole(String cluster, String node) {
        return plant.configuredPrimary(cluster).filter(node::equals).isPresent() ? NodeRole.PRIMARY : NodeRole.REPLICA;
    }
}
