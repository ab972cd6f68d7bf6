package dev.drpilot.failover;

import dev.drpilot.config.FailoverSettings;
import dev.drpilot.config.FailoverSettings.Mode;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.FailoverGate.Admission;
import dev.drpilot.failover.FailoverGate.ApprovalWait;
import dev.drpilot.failover.FailoverGate.Decision;
import dev.drpilot.failover.FailoverGate.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every gate, every bypass, and which gate speaks first when several apply. Cooldown 15m, approval timeout 30m. */
class FailoverGateTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");

    private static final Decision RUN = new Decision(Verdict.RUN, "");
    private static final Decision RUN_DRY = new Decision(Verdict.RUN_DRY, "");
    private static final Decision ALREADY_DONE = new Decision(Verdict.ALREADY_DONE, "already carried out; nothing to do");
    private static final Decision NO_TARGET = new Decision(Verdict.REFUSE, "a switchover needs the node to switch to");
    private static final Decision STALE = new Decision(Verdict.STALE, "stale: the command was issued at 2026-11-24T02:44:00Z, more than 15m ago,"
            + " and never acted on; check the cluster and fail over by hand (drpilot switchover) if it still needs it");
    private static final Decision OFF = new Decision(Verdict.REFUSE, "failover of orders is off in the actuator's configuration");
    private static final Decision PAUSED = new Decision(Verdict.REFUSE,
            "paused: failover of orders paused by alice: storage maintenance at 2026-11-24T02:30:00Z (drpilot failover resume orders)");
    private static final Decision NOT_ORDERED_SWITCHOVER = new Decision(Verdict.REFUSE, "a switchover is an operator's command, and no operator ordered"
            + " orders-1 on drpilot.failover.control (drpilot switchover writes the order; only the operator's Kafka principal may)");
    private static final Decision NOT_ORDERED_FORCE = new Decision(Verdict.REFUSE, "a forced failover is an operator's command, and no operator ordered"
            + " orders-1 on drpilot.failover.control (drpilot switchover writes the order; only the operator's Kafka principal may)");
    private static final Decision AWAIT_APPROVAL = new Decision(Verdict.AWAIT_APPROVAL,
            "waiting for an operator's approval: drpilot failover approve orders-1");
    private static final Decision COOLDOWN = new Decision(Verdict.REFUSE,
            "cooldown: failover orders-0 of orders ended at 2026-11-24T02:50:00Z, less than 15m ago");

    record Row(String says, Given given, Decision expected) {
        @Override
        public String toString() {
            return says;
        }
    }

    static Stream<Row> gates() {
        return Stream.of(
                new Row("auto mode with nothing in the way runs", given(), RUN),

                new Row("an incident with a summary is already done, though its cluster is now off, paused and cooling down",
                        given().recorded(summary("orders-1")).cluster(Mode.OFF).paused().coolingDown(), ALREADY_DONE),

                new Row("a switchover without a target is refused", given().command(FailoverMode.SWITCHOVER).noTarget(), NO_TARGET),

                new Row("a switchover no operator ordered is refused, though nothing else is in the way",
                        given().command(FailoverMode.SWITCHOVER).notOrdered(), NOT_ORDERED_SWITCHOVER),
                new Row("a forced failover no operator ordered is refused, in a paused cluster too",
                        given().forced().paused().notOrdered(), NOT_ORDERED_FORCE),
                new Row("an incident with a summary is already done, ordered or not",
                        given().command(FailoverMode.SWITCHOVER).notOrdered().recorded(summary("orders-1")), ALREADY_DONE),
                new Row("an automatic failover needs no order", given().notOrdered(), RUN),
                new Row("an automatic failover needs no order, and a pause still refuses it", given().paused().notOrdered(), PAUSED),
                new Row("a switchover without a target is refused before it is judged stale",
                        given().command(FailoverMode.SWITCHOVER).noTarget().issuedMinutesAgo(16), NO_TARGET),

                new Row("a command older than the cooldown that nobody acted on is stale", given().issuedMinutesAgo(16), STALE),
                new Row("stale comes before off", given().issuedMinutesAgo(16).cluster(Mode.OFF), STALE),
                new Row("stale comes before paused", given().issuedMinutesAgo(16).paused(), STALE),
                new Row("force does not revive a stale command", given().issuedMinutesAgo(16).forced(), STALE),
                new Row("a stale switchover is stale too", given().command(FailoverMode.SWITCHOVER).issuedMinutesAgo(16), STALE),
                new Row("an old command whose runbook is under way is finished",
                        given().issuedMinutesAgo(16).recorded(step("orders-1", "1-check")), RUN),
                new Row("a command exactly as old as the cooldown is not stale", given().issuedMinutesAgo(15), RUN),
                new Row("a command only refused for now (nothing could be read) is still stale once older than the cooldown",
                        given().issuedMinutesAgo(16).recorded(deferred("orders-1")), STALE),
                new Row("a command refused for now runs when it is read again in time", given().recorded(deferred("orders-1")), RUN),

                new Row("off refuses a failover", given().cluster(Mode.OFF), OFF),
                new Row("off refuses a dry-run command", given().cluster(Mode.OFF).command(FailoverMode.DRY_RUN), OFF),
                new Row("off refuses a manual command before it waits", given().cluster(Mode.OFF).command(FailoverMode.MANUAL), OFF),
                new Row("off lets a forced failover through", given().cluster(Mode.OFF).forced(), RUN),
                new Row("off lets a switchover through", given().cluster(Mode.OFF).command(FailoverMode.SWITCHOVER), RUN),
                new Row("off comes before paused", given().cluster(Mode.OFF).paused(), OFF),

                new Row("paused refuses a failover", given().paused(), PAUSED),
                new Row("paused refuses a dry run", given().cluster(Mode.DRY_RUN).paused(), PAUSED),
                new Row("paused lets a forced failover through", given().paused().forced(), RUN),
                new Row("paused lets a switchover through", given().paused().command(FailoverMode.SWITCHOVER), RUN),
                new Row("paused comes before manual", given().cluster(Mode.MANUAL).paused(), PAUSED),

                new Row("manual mode awaits an operator's approval", given().cluster(Mode.MANUAL), AWAIT_APPROVAL),
                new Row("a manual command awaits approval in an auto cluster", given().command(FailoverMode.MANUAL), AWAIT_APPROVAL),
                new Row("manual mode with the approval on record runs", given().cluster(Mode.MANUAL).recorded(approved("orders-1")), RUN),
                new Row("a request on record without the approval still awaits it",
                        given().cluster(Mode.MANUAL).recorded(requested("orders-1")), AWAIT_APPROVAL),
                new Row("force does not skip the approval", given().cluster(Mode.MANUAL).forced(), AWAIT_APPROVAL),
                new Row("a dry-run command in manual mode runs dry without approval",
                        given().cluster(Mode.MANUAL).command(FailoverMode.DRY_RUN), RUN_DRY),
                new Row("a manual command in a dry-run cluster runs dry without approval",
                        given().cluster(Mode.DRY_RUN).command(FailoverMode.MANUAL), RUN_DRY),
                new Row("a switchover in manual mode runs without approval", given().cluster(Mode.MANUAL).command(FailoverMode.SWITCHOVER), RUN),

                new Row("cooldown refuses a failover", given().coolingDown(), COOLDOWN),
                new Row("cooldown refuses a dry run", given().cluster(Mode.DRY_RUN).coolingDown(), COOLDOWN),
                new Row("cooldown lets a forced failover through", given().coolingDown().forced(), RUN),
                new Row("cooldown lets a switchover through", given().coolingDown().command(FailoverMode.SWITCHOVER), RUN),
                new Row("cooldown comes after the approval: without one, it is awaited", given().cluster(Mode.MANUAL).coolingDown(), AWAIT_APPROVAL),
                new Row("cooldown comes after the approval: with one, the cooldown refuses",
                        given().cluster(Mode.MANUAL).coolingDown().recorded(requested("orders-1"), approved("orders-1")), COOLDOWN),

                new Row("a dry-run cluster runs dry", given().cluster(Mode.DRY_RUN), RUN_DRY),
                new Row("a dry-run command runs dry in an auto cluster", given().command(FailoverMode.DRY_RUN), RUN_DRY),
                new Row("a switchover in a dry-run cluster runs for real", given().cluster(Mode.DRY_RUN).command(FailoverMode.SWITCHOVER), RUN),
                new Row("force gets past off, paused and cooldown at once", given().cluster(Mode.OFF).paused().coolingDown().forced(), RUN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gates")
    void decides(Row row) {
        assertThat(FailoverGate.decide(row.given().admission())).isEqualTo(row.expected());
    }

    record Look(String says, Optional<ActionRecord> approval, Instant now, Decision expected) {
        @Override
        public String toString() {
            return says;
        }
    }

    static Stream<Look> looks() {
        Instant requestedAt = NOW.minus(Duration.ofMinutes(10));
        Decision approvedByBob = new Decision(Verdict.APPROVED, "failover orders-1 approved by bob");
        Decision timedOut = new Decision(Verdict.REFUSE, "no operator approved the failover within 30m");
        Instant early = requestedAt.minusSeconds(1);
        String tooEarly = "; the approval given at " + early + " (failover orders-1 approved by bob) does not count: it is older than this"
                + " failover's request for one, made at " + requestedAt + "; approve again";
        Instant at = requestedAt.plusSeconds(5);
        String tooOld = "; the approval given at " + at + " (failover orders-1 approved by bob) does not count: it is older than"
                + " failover.approvalValidity (15m); approve again";
        return Stream.of(
                new Look("an approval given goes ahead", Optional.of(approvalAt(at)), at.plusSeconds(1), approvedByBob),
                new Look("an approval given the moment it was asked for goes ahead", Optional.of(approvalAt(requestedAt)), requestedAt, approvedByBob),
                new Look("an approval that came late, after the timeout, still counts", Optional.of(approvalAt(requestedAt.plus(Duration.ofHours(1)))),
                        requestedAt.plus(Duration.ofHours(1)).plusSeconds(1), approvedByBob),
                new Look("an approval given before the request existed does not count: keep waiting", Optional.of(approvalAt(early)),
                        requestedAt.plusSeconds(5), new Decision(Verdict.AWAIT_APPROVAL, AWAIT_APPROVAL.reason() + tooEarly)),
                new Look("an approval given before the request does not count past the timeout either: refused", Optional.of(approvalAt(early)),
                        requestedAt.plus(Duration.ofMinutes(31)), new Decision(Verdict.REFUSE, timedOut.reason() + tooEarly)),
                new Look("an approval exactly as old as its validity still counts", Optional.of(approvalAt(at)), at.plus(Duration.ofMinutes(15)),
                        approvedByBob),
                new Look("an approval older than its validity does not count: keep waiting", Optional.of(approvalAt(at)),
                        at.plus(Duration.ofMinutes(15)).plusMillis(1), new Decision(Verdict.AWAIT_APPROVAL, AWAIT_APPROVAL.reason() + tooOld)),
                new Look("no approval yet: keep waiting", Optional.empty(), requestedAt.plusSeconds(5), AWAIT_APPROVAL),
                new Look("no approval at exactly the timeout: keep waiting", Optional.empty(), requestedAt.plus(Duration.ofMinutes(30)), AWAIT_APPROVAL),
                new Look("no approval past the timeout: refused", Optional.empty(), requestedAt.plus(Duration.ofMinutes(30)).plusMillis(1), timedOut));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("looks")
    void aManualFailoverWaitsForItsApproval(Look look) {
        ApprovalWait wait = new ApprovalWait("orders-1", NOW.minus(Duration.ofMinutes(10)), Duration.ofMinutes(30), Duration.ofMinutes(15));
        assertThat(wait.check(look.approval(), look.now())).isEqualTo(look.expected());
    }

    record Counts(String says, ActionRecord record, boolean expected) {
        @Override
        public String toString() {
            return says;
        }
    }

    static Stream<Counts> cooldownRecords() {
        return Stream.of(
                new Counts("another incident's successful failover of the cluster", summary("orders-0"), true),
                new Counts("this incident's own summary", summary("orders-1"), false),
                new Counts("a failover of another cluster",
                        record("billing", "billing-0", "summary", ActionKind.FAILOVER_SUMMARY, ActionStatus.SUCCEEDED, "", Map.of()), false),
                new Counts("a dry run",
                        record("orders", "orders-0", "summary", ActionKind.FAILOVER_SUMMARY, ActionStatus.SUCCEEDED, "", Map.of("dryRun", "true")), false),
                new Counts("a refused failover",
                        record("orders", "orders-0", "summary", ActionKind.FAILOVER_SUMMARY, ActionStatus.REFUSED, "", Map.of()), false),
                new Counts("a step, not a summary", step("orders-0", "3-promote"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cooldownRecords")
    void whatCountsForTheCooldown(Counts row) {
        assertThat(FailoverGate.countsForCooldown("orders", "orders-1").test(row.record())).isEqualTo(row.expected());
    }

    @Test
    void theApprovalRequestIsTheIncidentsStartedApprovalRecord() {
        assertThat(FailoverGate.approvalRequest(List.of(step("orders-1", "1-check"), requested("orders-1"), approved("orders-1"))))
                .contains(requested("orders-1"));
        assertThat(FailoverGate.approvalRequest(List.of(approved("orders-1")))).isEmpty();
    }

    /** A command for incident orders-1 of cluster orders, issued 5 s ago, and what the executor read. */
    static Given given() {
        return new Given();
    }

    static final class Given {
        private FailoverMode command = FailoverMode.AUTO;
        private Mode cluster = Mode.AUTO;
        private boolean force;
        private String target = "pg-2";
        private Instant issuedAt = NOW.minusSeconds(5);
        private final List<ActionRecord> history = new ArrayList<>();
        private Optional<ActionRecord> pause = Optional.empty();
        private Optional<ActionRecord> recentFailover = Optional.empty();
        // Switchovers and forced commands in these rows come from the operator, as drpilot switchover sends them.
        private boolean operatorOrdered = true;

        Given command(FailoverMode mode) {
            this.command = mode;
            return this;
        }

        Given cluster(Mode mode) {
            this.cluster = mode;
            return this;
        }

        Given forced() {
            this.force = true;
            return this;
        }

        Given noTarget() {
            this.target = null;
            return this;
        }

        Given issuedMinutesAgo(long minutes) {
            this.issuedAt = NOW.minus(Duration.ofMinutes(minutes));
            return this;
        }

        Given recorded(ActionRecord... records) {
            history.addAll(List.of(records));
            return this;
        }

        Given paused() {
            this.pause = Optional.of(ActionRecord.newBuilder().setActionId("operator/pause/orders/1").setKind(ActionKind.OPERATOR).setName("pause")
                    .setStatus(ActionStatus.SUCCEEDED).setCluster("orders").setStartedAt(Instant.parse("2026-11-24T02:30:00Z"))
                    .setFinishedAt(Instant.parse("2026-11-24T02:30:00Z")).setDetail("failover of orders paused by alice: storage maintenance")
                    .setAttributes(Map.of("by", "alice")).build());
            return this;
        }

        Given pausedBy(Optional<ActionRecord> pause) {
            this.pause = pause;
            return this;
        }

        Given notOrdered() {
            this.operatorOrdered = false;
            return this;
        }

        Given coolingDown() {
            this.recentFailover = Optional.of(summary("orders-0"));
            return this;
        }

        Admission admission() {
            FailoverCommand built = FailoverCommand.newBuilder().setCommandId("orders-1/failover").setIncidentId("orders-1").setCluster("orders")
                    .setComponent("orders-db").setFailedNode(command == FailoverMode.SWITCHOVER ? null : "pg-1")
                    .setTargetNode(command == FailoverMode.SWITCHOVER ? target : null).setReason("test").setMode(command).setForce(force)
                    .setDetectedAt(issuedAt).setIssuedAt(issuedAt).setEvidence(List.of()).build();
            FailoverSettings settings = new FailoverSettings(cluster, Duration.ofSeconds(10), 16L << 20, Duration.ofMinutes(15), 2, 3, "default",
                    Duration.ofMinutes(30));
            return new Admission(built, "orders", settings, history, pause, recentFailover, operatorOrdered, NOW);
        }
    }

    /** A successful failover summary of cluster orders, ended at 02:50. */
    static ActionRecord summary(String incident) {
        return record(incident, "summary", ActionKind.FAILOVER_SUMMARY, ActionStatus.SUCCEEDED, "failed over to pg-2");
    }

    static ActionRecord step(String incident, String id) {
        return record(incident, id, ActionKind.FAILOVER_STEP, ActionStatus.SUCCEEDED, "done");
    }

    static ActionRecord requested(String incident) {
        return record(incident, "approval", ActionKind.FAILOVER_APPROVAL, ActionStatus.STARTED,
                "waiting for an operator's approval: drpilot failover approve " + incident);
    }

    static ActionRecord approved(String incident) {
        return record(incident, "approval", ActionKind.FAILOVER_APPROVAL, ActionStatus.SUCCEEDED, "failover " + incident + " approved by bob");
    }

    /** What the executor records when the pauses or the history could not be read: a refusal for now. */
    static ActionRecord deferred(String incident) {
        return record("orders", incident, "summary", ActionKind.FAILOVER_REFUSED, ActionStatus.REFUSED,
                "refused for now: could not read drpilot.failover.control: ...", Map.of("outcome", "REFUSED", FailoverGate.DEFERRED, "true"));
    }

    /** The operator's approval on the control topic, given at {@code at}. */
    static ActionRecord approvalAt(Instant at) {
        return ActionRecord.newBuilder().setActionId("operator/approve/orders-1/1").setKind(ActionKind.OPERATOR).setName("approve")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId("orders-1").setStartedAt(at).setFinishedAt(at)
                .setDetail("failover orders-1 approved by bob").setAttributes(Map.of("by", "bob")).build();
    }

    private static ActionRecord record(String incident, String id, ActionKind kind, ActionStatus status, String detail) {
        return record("orders", incident, id, kind, status, detail, Map.of());
    }

    private static ActionRecord record(String cluster, String incident, String id, ActionKind kind, ActionStatus status, String detail,
                                       Map<String, String> attributes) {
        return ActionRecord.newBuilder().setActionId(incident + "/" + id).setKind(kind).setName(id).setStatus(status).setIncidentId(incident)
                .setCluster(cluster).setStartedAt(Instant.parse("2026-11-24T02:49:00Z")).setFinishedAt(Instant.parse("2026-11-24T02:50:00Z"))
                .setDetail(detail).setAttributes(attributes).build();
    }
}
