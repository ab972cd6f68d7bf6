package dev.drpilot.detector.rules;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.detector.state.StoreEntries;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Rule 8, failover health: a failover that did not end well → CRITICAL. That is: a step recorded
 * as FAILED, a failover refused (no safe candidate, primary still answering, paused, cooldown), a
 * FAILED summary, or a command with no successful summary within {@code thresholds.failoverCompletion}
 * (a runbook that stalled half-way, or an actuator that is not running). A successful summary of
 * the incident resolves it.
 *
 * <p>Reads the failover commands and the actuator's action records, re-keyed by incident into a
 * single-partition sub-topology (failovers are rare; one task sees a command and its records
 * together, whatever order the two topics deliver them in). Completed failovers are forgotten a
 * week later.
 */
public final class FailoverHealthRule extends RuleProcessor<FailoverHealthInput, Alert> {
    public static final String NAME = "failover-health";
    public static final String STORE = "failovers";
    private static final Duration KEEP_COMPLETED = Duration.ofDays(7);
    private static final Duration SHOW_COMPLETED = Duration.ofHours(1);
    private static final Duration FORGET_COMMANDS = Duration.ofDays(1);

    private KeyValueStore<String, Track> failovers;

    /** One incident's failover as the actuator reports it. */
    public static final class Track {
        public String cluster;
        public String component;
        public Instant issuedAt;
        public String mode;
        public Instant completedAt;
        public String trouble;
    }

    public FailoverHealthRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        failovers = context.getStateStore(STORE);
    }

    @Override
    protected void handle(Record<String, FailoverHealthInput> record) {
        if (record.value() != null) {
            record.value().applyTo(this);
        }
    }

    void onCommand(FailoverCommand command) {
        if (command == null) {
            return;
        }
        if (command.getIssuedAt().isBefore(wallClock().minus(FORGET_COMMANDS))) {
            return;   // a replay of old history (a new application id, a reset): long decided, not to be alerted again
        }
        if (command.getMode() == FailoverMode.REJOIN) {
            return;   // no failover: no summary ever follows it (its outcome is a REJOIN record, which this rule does not read)
        }
        Track track = load(command.getIncidentId());
        track.cluster = command.getCluster();
        track.component = command.getComponent();
        track.mode = command.getMode().name();
        if (track.issuedAt == null) {
            track.issuedAt = command.getIssuedAt();
        }
        failovers.put(command.getIncidentId(), track);
    }

    private static boolean isFailover(ActionRecord action) {
        return action.getKind() == ActionKind.FAILOVER_STEP || action.getKind() == ActionKind.FAILOVER_REFUSED
                || action.getKind() == ActionKind.FAILOVER_SUMMARY || action.getKind() == ActionKind.FAILOVER_APPROVAL;
    }

    void onAction(ActionRecord action) {
        if (action != null && action.getKind() == ActionKind.REJOIN) {
            onRejoin(action);
            return;
        }
        if (action == null || action.getIncidentId() == null || !isFailover(action)) {
            return;
        }
        String incident = action.getIncidentId();
        Track track = load(incident);
        if (track.cluster == null) {
            track.cluster = action.getCluster();
        }
        if (track.component == null) {
            track.component = plant.cluster(track.cluster).map(ClusterConfig::component).orElse(null);
        }
        if (track.issuedAt == null) {
            track.issuedAt = action.getStartedAt();
        }
        if (track.mode == null) {
            track.mode = action.getAttributes().get("mode");
        }
        Instant now = wallClock();
        if (action.getKind() == ActionKind.FAILOVER_APPROVAL) {
            failovers.put(incident, track);
            AlertDraft waiting = awaiting(incident, track);
            if (action.getStatus() == ActionStatus.STARTED) {
                // A failover that waits for a person must reach one: paging, like any failover trouble.
                book.fire(waiting, action.getStartedAt(), Severity.CRITICAL, now);
            } else {
                book.resolve(waiting, action.getFinishedAt() == null ? now : action.getFinishedAt(), now);
            }
            return;
        }
        if (action.getKind() == ActionKind.FAILOVER_SUMMARY || action.getKind() == ActionKind.FAILOVER_REFUSED) {
            book.resolve(awaiting(incident, track), now, now);
        }
        if (action.getKind() == ActionKind.FAILOVER_SUMMARY && action.getStatus() == ActionStatus.SKIPPED) {
            // Not carried out (a stale command): nothing to announce, nothing more to wait for.
            track.completedAt = action.getFinishedAt() == null ? now : action.getFinishedAt();
            failovers.put(incident, track);
            book.resolve(draft(incident, track, what(track) + " of " + track.cluster + " skipped", action.getDetail()), track.completedAt, now);
            return;
        }
        if (action.getKind() == ActionKind.FAILOVER_SUMMARY && action.getStatus() == ActionStatus.SUCCEEDED) {
            track.completedAt = action.getFinishedAt() == null ? now : action.getFinishedAt();
            failovers.put(incident, track);
            book.resolve(draft(incident, track, what(track) + " of " + track.cluster + " completed",
                    "Failover " + incident + " of " + track.cluster + " completed at " + track.completedAt + ": " + action.getDetail()),
                    track.completedAt, now);
            // The runbook's notify: the summary as an INFO alert, shown for an hour, then resolved by tick().
            book.fire(completed(incident, track, action.getDetail()), track.issuedAt, Severity.INFO, now);
            return;
        }
        String trouble = null;
        if (action.getKind() == ActionKind.FAILOVER_REFUSED || action.getStatus() == ActionStatus.REFUSED) {
            trouble = "refused";
        } else if (action.getStatus() == ActionStatus.FAILED) {
            trouble = action.getKind() == ActionKind.FAILOVER_SUMMARY ? "failed" : "step " + action.getName() + " failed";
        }
        if (trouble == null) {
            failovers.put(incident, track);
            return;
        }
        track.trouble = trouble + ": " + action.getDetail();
        failovers.put(incident, track);
        book.fire(draft(incident, track, what(track) + " of " + track.cluster + " " + trouble,
                "Failover " + incident + " of " + track.cluster + " " + track.trouble + ". The cluster may have no writable primary:"
                        + " check `drpilot failover history` and the runbook's records."),
                track.issuedAt, Severity.CRITICAL, now);
    }

    /**
     * A rejoin that failed or was refused leaves the cluster a replica short (and a second failure fatal) until someone acts:
     * WARNING, per node, resolved by the node's next successful rejoin. A request under way (STARTED) changes nothing.
     */
    private void onRejoin(ActionRecord action) {
        String node = action.getAttributes().get("node");
        if (node == null || action.getCluster() == null) {
            return;
        }
        String component = plant.cluster(action.getCluster()).map(ClusterConfig::component).orElse(null);
        AlertDraft draft = new AlertDraft(NAME, "RejoinFailed", Alerts.identity("component", component, "cluster", action.getCluster(),
                "node", node, "outcome", "rejoin"), "Rejoin of " + node + " of " + action.getCluster() + " "
                + (action.getStatus() == ActionStatus.REFUSED ? "refused" : "failed"),
                "The rejoin of " + node + " (" + action.getName() + ") ended " + action.getStatus() + ": " + action.getDetail()
                        + ". Until it streams again " + action.getCluster() + " is one replica short. Fix what the record says, then"
                        + " `drpilot rejoin " + action.getCluster() + " " + node + "` (docs/agent.md#rejoin).",
                null, null, null, action.getIncidentId());
        Instant now = wallClock();
        Instant at = action.getFinishedAt() != null ? action.getFinishedAt() : action.getStartedAt();
        if (action.getStatus() == ActionStatus.SUCCEEDED) {
            book.resolve(draft, at, now);
        } else if (action.getStatus() == ActionStatus.FAILED || action.getStatus() == ActionStatus.REFUSED) {
            book.fire(draft, at, Severity.WARNING, now);
        }
    }

    @Override
    protected void tick(Instant now) {
        List<KeyValue<String, Track>> all = StoreEntries.all(failovers);
        for (KeyValue<String, Track> entry : all) {
            Track track = entry.value;
            if (track.completedAt != null) {
                if (track.completedAt.plus(SHOW_COMPLETED).isBefore(now)) {
                    book.resolve(completed(entry.key, track, "shown for " + Durations.format(SHOW_COMPLETED)), now, now);
                }
                if (track.completedAt.plus(KEEP_COMPLETED).isBefore(now)) {
                    failovers.delete(entry.key);
                }
                continue;
            }
            Duration bound = plant.thresholds(track.component).failoverCompletion();
            Duration open = Duration.between(track.issuedAt, now);
            if (open.compareTo(bound) > 0) {
                book.fire(draft(entry.key, track, what(track) + " of " + track.cluster + " not completed after "
                                + Durations.format(Duration.ofSeconds(open.toSeconds())),
                        "Failover " + entry.key + " of " + track.cluster + " was requested at " + track.issuedAt
                                + " and has no successful completion record within " + Durations.format(bound)
                                + (track.trouble == null ? "" : " (" + track.trouble + ")")
                                + ". Is the actuator running? Is the runbook stuck?"),
                        track.issuedAt, Severity.CRITICAL, now);
            }
        }
    }

    /** A fence on sight (a FENCE command) is announced as what it is, not as a failover. */
    private static String what(Track track) {
        return FailoverMode.FENCE.name().equals(track.mode) ? "Fence on sight" : "Failover";
    }

    private Track load(String incident) {
        Track track = failovers.get(incident);
        return track == null ? new Track() : track;
    }

    private static AlertDraft awaiting(String incident, Track track) {
        return new AlertDraft(NAME, "FailoverAwaitingApproval", Alerts.identity("component", track.component, "cluster", track.cluster,
                "incident", incident, "outcome", "awaiting-approval"), what(track) + " of " + track.cluster + " waits for an operator's approval",
                "The primary of " + track.cluster + " is down and its failover is in manual mode: approve it with `drpilot failover approve "
                        + incident + "`, or fail over by hand.", null, null, null, incident);
    }

    private static AlertDraft completed(String incident, Track track, String detail) {
        return new AlertDraft(NAME, "FailoverCompleted", Alerts.identity("component", track.component, "cluster", track.cluster,
                "incident", incident, "outcome", "completed"), what(track) + " of " + track.cluster + " completed",
                "Failover " + incident + " of " + track.cluster + ": " + detail, null, null, null, incident);
    }

    private static AlertDraft draft(String incident, Track track, String summary, String description) {
        return new AlertDraft(NAME, "FailoverTrouble", Alerts.identity("component", track.component, "cluster", track.cluster,
                "incident", incident), summary, description, null, null, null, incident);
    }
}
