package dev.drpilot.detector.rules;

import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.Alerts;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;

/**
 * Rule 13, delivery failed: an alert the actuator gave up delivering to a receiver (rejected, or its retry budget spent)
 * must not vanish with only an audit record. The first such failure fires {@code delivery-failed} for that receiver —
 * CRITICAL when what was lost was a CRITICAL alert (a page nobody got), WARNING otherwise — which the actuator routes to
 * every <em>other</em> receiver its routes choose (see the notify router). The next successful delivery to the receiver
 * resolves it. One alert per receiver, however many deliveries fail meanwhile; failures to deliver a delivery-failed alert
 * are not counted, so two receivers that are both down do not page each other in a loop.
 *
 * <p>Reads the actuator's ALERT_DELIVERY records on drpilot.actions, re-keyed by receiver into a single-partition
 * sub-topology (deliveries of one receiver in order; the volume is that of alert deliveries, small).
 */
public final class DeliveryFailedRule extends RuleProcessor<ActionRecord, Alert> {
    public static final String NAME = "delivery-failed";
    public static final String STORE = "undelivered";
    /** The attribute an ALERT_DELIVERY record names the delivered alert's rule with. */
    public static final String ALERT_RULE = "alertRule";
    public static final String ALERT_SEVERITY = "alertSeverity";

    private KeyValueStore<String, Track> undelivered;

    /** A receiver's failures since its last successful delivery. */
    public static final class Track {
        public Instant since;
        public int failed;
        public boolean critical;
        public String lastAlert;
        public String lastDetail;
    }

    public DeliveryFailedRule(Plant plant) {
        super(NAME, plant, alert -> alert);
    }

    @Override
    protected void initStores(ProcessorContext<String, Alert> context) {
        undelivered = context.getStateStore(STORE);
    }

    @Override
    protected void handle(Record<String, ActionRecord> record) {
        ActionRecord action = record.value();
        if (action == null || action.getKind() != ActionKind.ALERT_DELIVERY || action.getName() == null
                || NAME.equals(action.getAttributes().get(ALERT_RULE))) {
            return;
        }
        String receiver = action.getName();
        Instant now = wallClock();
        Instant at = action.getFinishedAt() != null ? action.getFinishedAt() : action.getStartedAt();
        Track track = undelivered.get(receiver);
        if (action.getStatus() == ActionStatus.SUCCEEDED) {
            if (track != null) {
                undelivered.delete(receiver);
                book.resolve(draft(receiver, track), at, now);
            }
            return;
        }
        if (action.getStatus() != ActionStatus.FAILED) {
            return;
        }
        if (track == null) {
            track = new Track();
            track.since = at;
        }
        track.failed++;
        track.critical |= "critical".equals(action.getAttributes().get(ALERT_SEVERITY));
        track.lastAlert = action.getFingerprint();
        track.lastDetail = action.getDetail();
        undelivered.put(receiver, track);
        book.fire(draft(receiver, track), track.since, track.critical ? Severity.CRITICAL : Severity.WARNING, now);
    }

    private static AlertDraft draft(String receiver, Track track) {
        return new AlertDraft(NAME, "AlertDeliveryFailed", Alerts.identity("component", "drpilot", "receiver", receiver),
                "Alerts to receiver " + receiver + " are not being delivered",
                "drpilot gave up delivering " + (track.lastAlert == null ? "an alert" : track.lastAlert) + " to " + receiver + " ("
                        + track.lastDetail + "). Whoever relies on " + receiver + " has not been told; it is shown here instead. Every"
                        + " failed delivery is on drpilot.actions (`drpilot failover history` shows the audit trail); a delivery that"
                        + " succeeds again resolves this.",
                null, null, null, null);
    }
}
