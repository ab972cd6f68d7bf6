package dev.drpilot.failover;

import dev.drpilot.config.Durations;
import dev.drpilot.config.FailoverSettings;
import dev.drpilot.config.FailoverSettings.Mode;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.schemas.topic.Topics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Whether a failover command may run its runbook, decided from what the executor read (the
 * incident's records, the operators' pause, the cluster's last failover) and the time. The gates,
 * in this order — the first that applies decides:
 * <ol>
 *   <li>the incident already has a summary: already done;</li>
 *   <li>a switchover without a target: refused;</li>
 *   <li>a switchover or a forced command without the operator's order on {@code drpilot.failover.control}: refused;</li>
 *   <li>a command nobody acted on for longer than the cooldown: stale;</li>
 *   <li>failover off in the configuration: refused, unless a switchover or forced;</li>
 *   <li>the cluster paused by an operator: refused, unless a switchover or forced;</li>
 *   <li>manual mode without a recorded approval: await it, unless a dry run or a switchover;</li>
 *   <li>another incident's failover of the cluster within the cooldown: refused, unless a switchover or forced;</li>
 * </ol>
 * otherwise the runbook runs, as a dry run if the command or the configuration says so (a switchover never is).
 */
public final class FailoverGate {
    /** The attribute that marks a refusal for now (the pauses or the history could not be read): not acting on the command. */
    public static final String DEFERRED = "deferred";
    /** The name of the pause an open maintenance window stands for (an operator's is {@code pause}). */
    static final String MAINTENANCE = "maintenance";

    private FailoverGate() {
    }

    /**
     * What the gate looks at.
     *
     * @param history        the incident's records so far, in the order written
     * @param pause          the operator's pause of the cluster, if it is paused
     * @param operatorOrdered whether the operator's order for the incident is on {@code drpilot.failover.control}
     *                        ({@link OperatorControls#order}); only the operator principal may write that topic
     * @param recentFailover the last failover of the cluster that counts for the cooldown
     *                       ({@link #countsForCooldown}) recorded less than the cooldown before now, if any
     */
    public record Admission(FailoverCommand command, String cluster, FailoverSettings settings, List<ActionRecord> history,
                            Optional<ActionRecord> pause, Optional<ActionRecord> recentFailover, boolean operatorOrdered, Instant now) {
        public Admission {
            history = List.copyOf(history);
        }
    }

    public enum Verdict {
        RUN, RUN_DRY, ALREADY_DONE, REFUSE, STALE, AWAIT_APPROVAL,
        /** An operator's approval came while the failover waited for it: record it, then ask the gate again. */
        APPROVED
    }

    /** @param reason the words the executor records or logs with the verdict; empty when it runs */
    public record Decision(Verdict verdict, String reason) {
        public Decision {
            Objects.requireNonNull(verdict);
            Objects.requireNonNull(reason);
        }

        static Decision of(Verdict verdict) {
            return new Decision(verdict, "");
        }

        static Decision refuse(String reason) {
            return new Decision(Verdict.REFUSE, reason);
        }
    }

    public static Decision decide(Admission admission) {
        FailoverCommand command = admission.command();
        FailoverSettings settings = admission.settings();
        List<ActionRecord> history = admission.history();
        if (history.stream().anyMatch(record -> record.getKind() == ActionKind.FAILOVER_SUMMARY)) {
            return new Decision(Verdict.ALREADY_DONE, "already carried out; nothing to do");
        }
        boolean switchover = command.getMode() == FailoverMode.SWITCHOVER;
        if (switchover && command.getTargetNode() == null) {
            return Decision.refuse("a switchover needs the node to switch to");
        }
        // A switchover or --force skips the gates below, and the brokers let the detector write commands too: such a
        // command counts only when the operator, the one principal that may write the control topic, ordered it there.
        if ((switchover || command.getForce()) && !admission.operatorOrdered()) {
            return Decision.refuse("a " + (switchover ? "switchover" : "forced failover") + " is an operator's command, and no operator"
                    + " ordered " + command.getIncidentId() + " on " + Topics.FAILOVER_CONTROL.name()
                    + " (drpilot switchover writes the order; only the operator's Kafka principal may)");
        }
        boolean dryRun = command.getMode() == FailoverMode.DRY_RUN || !switchover && settings.mode() == Mode.DRY_RUN;
        // A command nobody acted on for longer than the cooldown (an actuator that was down, a new
        // deployment reading the topic from its start) is about an outage that may be long over:
        // failing over now could replace a healthy primary. A runbook already under way is finished.
        // Recorded as a SKIPPED summary, not a refusal: the outage was alerted when it happened
        // (failover-health), and a reset consumer group must not page once per old command.
        Duration age = Duration.between(command.getIssuedAt(), admission.now());
        if (!actedOn(history) && age.compareTo(settings.cooldown()) > 0) {
            return new Decision(Verdict.STALE, "stale: the command was issued at " + command.getIssuedAt() + ", more than "
                    + Durations.format(settings.cooldown())
                    + " ago, and never acted on; check the cluster and fail over by hand (drpilot switchover) if it still needs it");
        }
        // "off" is the configuration in force now, whatever it was when the command was issued: an
        // operator who switched failover off meant it. Only an operator's own switchover or --force goes on.
        if (!switchover && !command.getForce() && settings.mode() == Mode.OFF) {
            return Decision.refuse("failover of " + admission.cluster() + " is off in the actuator's configuration");
        }
        // An operator's own switchover is neither paused nor held back by the cooldown or manual mode.
        if (!switchover && !command.getForce() && admission.pause().isPresent()) {
            ActionRecord pause = admission.pause().get();
            return Decision.refuse("paused: " + pause.getDetail() + " at " + pause.getStartedAt()
                    + (MAINTENANCE.equals(pause.getName()) ? " (it ends with the window; the configuration's maintenance list)"
                    : " (drpilot failover resume " + admission.cluster() + ")"));
        }
        if (!dryRun && !switchover && (command.getMode() == FailoverMode.MANUAL || settings.mode() == Mode.MANUAL) && !approved(history)) {
            return new Decision(Verdict.AWAIT_APPROVAL, awaiting(command.getIncidentId()));
        }
        if (!switchover && !command.getForce() && admission.recentFailover().isPresent()) {
            ActionRecord last = admission.recentFailover().get();
            return Decision.refuse("cooldown: failover " + last.getIncidentId() + " of " + admission.cluster() + " ended at "
                    + last.getFinishedAt() + ", less than " + Durations.format(settings.cooldown()) + " ago");
        }
        return Decision.of(dryRun ? Verdict.RUN_DRY : Verdict.RUN);
    }

    /**
     * A manual failover's wait for an operator's approval, asked once per look at the operators' controls. An approval
     * counts only if it answers this request — given at or after the request was recorded, not before the incident asked
     * for one — and is still valid — given no longer than {@code validity} ago. Any other is reported and ignored.
     *
     * @param requestedAt when the approval was first requested (the incident's record of the request)
     * @param timeout     {@code failover.approvalTimeout}
     * @param validity    {@code failover.approvalValidity}
     */
    public record ApprovalWait(String incident, Instant requestedAt, Duration timeout, Duration validity) {
        /**
         * APPROVED when an approval that counts was given (however late), REFUSE once the timeout has passed, AWAIT_APPROVAL
         * before; an approval that does not count is named in the reason.
         */
        public Decision check(Optional<ActionRecord> approval, Instant now) {
            Optional<String> ignored = approval.flatMap(given -> ignored(given, now));
            if (approval.isPresent() && ignored.isEmpty()) {
                return new Decision(Verdict.APPROVED, approval.get().getDetail());
            }
            String why = ignored.map(reason -> "; " + reason).orElse("");
            if (Duration.between(requestedAt, now).compareTo(timeout) > 0) {
                return Decision.refuse("no operator approved the failover within " + Durations.format(timeout) + why);
            }
            return new Decision(Verdict.AWAIT_APPROVAL, awaiting(incident) + why);
        }

        /** Why this approval does not count, if it does not. */
        public Optional<String> ignored(ActionRecord approval, Instant now) {
            Instant given = approval.getStartedAt();
            if (given.isBefore(requestedAt)) {
                return Optional.of("the approval given at " + given + " (" + approval.getDetail() + ") does not count: it is older than this"
                        + " failover's request for one, made at " + requestedAt + "; approve again");
            }
            if (Duration.between(given, now).compareTo(validity) > 0) {
                return Optional.of("the approval given at " + given + " (" + approval.getDetail() + ") does not count: it is older than"
                        + " failover.approvalValidity (" + Durations.format(validity) + "); approve again");
            }
            return Optional.empty();
        }
    }

    /** The incident's recorded request for an operator's approval, if manual mode made one. */
    public static Optional<ActionRecord> approvalRequest(List<ActionRecord> history) {
        return history.stream()
                .filter(record -> record.getKind() == ActionKind.FAILOVER_APPROVAL && record.getStatus() == ActionStatus.STARTED).findFirst();
    }

    /** A failover that holds back the next one of its cluster: succeeded, not a dry run, and another incident's. */
    public static Predicate<ActionRecord> countsForCooldown(String cluster, String incident) {
        return record -> record.getKind() == ActionKind.FAILOVER_SUMMARY && record.getStatus() == ActionStatus.SUCCEEDED
                && cluster.equals(record.getCluster()) && !incident.equals(record.getIncidentId())
                && !"true".equals(record.getAttributes().get("dryRun")) && !FailoverMode.FENCE.name().equals(record.getAttributes().get("mode"));
    }

    /** Whether anything was done about the command: a refusal for now (nothing could be read, nothing decided) is not. */
    static boolean actedOn(List<ActionRecord> history) {
        return history.stream().anyMatch(record -> !"true".equals(record.getAttributes().get(DEFERRED)));
    }

    private static boolean approved(List<ActionRecord> history) {
        return history.stream().anyMatch(record -> record.getKind() == ActionKind.FAILOVER_APPROVAL && record.getStatus() == ActionStatus.SUCCEEDED);
    }

    private static String awaiting(String incident) {
        return "waiting for an operator's approval: drpilot failover approve " + incident;
    }
}
