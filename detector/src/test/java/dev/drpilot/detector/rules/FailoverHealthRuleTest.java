package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.drpilot.detector.RuleDriver.T0;
import static dev.drpilot.detector.RuleDriver.action;
import static org.assertj.core.api.Assertions.assertThat;

class FailoverHealthRuleTest {
    private final RuleDriver driver = new RuleDriver("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
            thresholds: {failoverCompletion: 2m}
            alerts: {evaluationInterval: 5s}
            """);

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<Alert> trouble() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("failover-health")).toList();
    }

    private void command(String incident) {
        driver.command(FailoverCommand.newBuilder().setCommandId(incident + "/failover").setIncidentId(incident).setCluster("orders")
                .setComponent("orders-db").setFailedNode("pg-1").setReason("test").setMode(FailoverMode.AUTO)
                .setDetectedAt(T0).setIssuedAt(T0).build());
    }

    @Test
    void aFailoverWithoutASuccessfulSummaryWithinTheBoundIsCritical() {
        command("orders-1");
        driver.action(action("orders-1", "orders", ActionKind.FAILOVER_STEP, "check", ActionStatus.SUCCEEDED, T0.plusSeconds(1), "pg-2 chosen"));
        driver.advance(Duration.ofSeconds(110));
        assertThat(trouble()).isEmpty();
        driver.advance(Duration.ofSeconds(15));
        assertThat(trouble()).singleElement().satisfies(alert -> {
            assertThat(alert.getFingerprint()).isEqualTo("failover-health/cluster=orders/component=orders-db/incident=orders-1");
            assertThat(alert.getAnnotations().get("summary")).startsWith("Failover of orders not completed after 2m");
        });
        driver.action(action("orders-1", "orders", ActionKind.FAILOVER_SUMMARY, "summary", ActionStatus.SUCCEEDED, T0.plusSeconds(130),
                "failed over to pg-2; recovery time 8.1 s"));
        List<Alert> after = trouble();
        assertThat(after).extracting(alert -> alert.getLabels().get("alertname") + " " + alert.getStatus() + " " + alert.getSeverity())
                .containsExactly("FailoverTrouble RESOLVED CRITICAL", "FailoverCompleted FIRING INFO");
        assertThat(after.get(1).getAnnotations().get("description")).contains("recovery time 8.1 s");
        driver.advance(Duration.ofMinutes(61));
        assertThat(trouble()).extracting(alert -> alert.getLabels().get("alertname") + " " + alert.getStatus())
                .containsExactly("FailoverCompleted RESOLVED");
    }

    @Test
    void aFailedStepOrARefusalIsCriticalAtOnce() {
        command("orders-2");
        driver.action(action("orders-2", "orders", ActionKind.FAILOVER_STEP, "promote", ActionStatus.FAILED, T0.plusSeconds(3),
                "pg_promote returned false after 30 s"));
        assertThat(trouble()).singleElement().satisfies(alert ->
                assertThat(alert.getAnnotations().get("description")).contains("step promote failed: pg_promote returned false"));

        driver.action(action("orders-3", "orders", ActionKind.FAILOVER_REFUSED, "check", ActionStatus.REFUSED, T0.plusSeconds(3),
                "no candidate within the lag bound"));   // its record arrived before its command
        command("orders-3");
        assertThat(trouble()).singleElement().satisfies(alert -> {
            assertThat(alert.getIncidentId()).isEqualTo("orders-3");
            assertThat(alert.getComponent()).isEqualTo("orders-db");
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Failover of orders refused");
        });
    }

    @Test
    void aFailoverThatCompletesInTimeRaisesNothing() {
        command("orders-4");
        driver.action(action("orders-4", "orders", ActionKind.FAILOVER_SUMMARY, "summary", ActionStatus.SUCCEEDED, T0.plusSeconds(9), "done"));
        driver.advance(Duration.ofMinutes(10));
        assertThat(trouble()).extracting(alert -> alert.getLabels().get("alertname")).containsExactly("FailoverCompleted");
    }

    @Test
    void aFailoverWaitingForApprovalPagesUntilApproved() {
        driver.command(FailoverCommand.newBuilder().setCommandId("orders-5/failover").setIncidentId("orders-5").setCluster("orders")
                .setComponent("orders-db").setFailedNode("pg-1").setReason("test").setMode(FailoverMode.MANUAL)
                .setDetectedAt(T0).setIssuedAt(T0).build());
        driver.action(action("orders-5", "orders", ActionKind.FAILOVER_APPROVAL, "approval", ActionStatus.STARTED, T0.plusSeconds(1),
                "waiting for an operator's approval"));
        assertThat(trouble()).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels()).containsEntry("alertname", "FailoverAwaitingApproval");
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getAnnotations().get("description")).contains("drpilot failover approve orders-5");
        });
        driver.action(action("orders-5", "orders", ActionKind.FAILOVER_APPROVAL, "approval", ActionStatus.SUCCEEDED, T0.plusSeconds(60),
                "failover orders-5 approved by alice"));
        assertThat(trouble()).extracting(alert -> alert.getLabels().get("alertname") + " " + alert.getStatus())
                .containsExactly("FailoverAwaitingApproval RESOLVED");
    }

    @Test
    void aSkippedStaleCommandAndAReplayOfOldCommandsRaiseNothing() {
        command("orders-6");
        driver.action(action("orders-6", "orders", ActionKind.FAILOVER_SUMMARY, "summary", ActionStatus.SKIPPED, T0.plusSeconds(5),
                "stale: the command was issued at ..."));
        driver.command(FailoverCommand.newBuilder().setCommandId("orders-0/failover").setIncidentId("orders-0").setCluster("orders")
                .setComponent("orders-db").setFailedNode("pg-1").setReason("test").setMode(FailoverMode.AUTO)
                .setDetectedAt(T0.minus(Duration.ofDays(3))).setIssuedAt(T0.minus(Duration.ofDays(3))).build());
        driver.advance(Duration.ofMinutes(10));
        assertThat(trouble()).isEmpty();
    }

    @Test
    void aRecordTheActuatorCouldNotReadPagesAsARefusalWithOrWithoutACluster() {
        // What the failover's DeadLetters records: a refusal under an incident named after the unreadable record.
        driver.action(action("deadletter/drpilot.failover.commands-0@7", "orders", ActionKind.FAILOVER_REFUSED, "deadletter",
                ActionStatus.REFUSED, T0.plusSeconds(1), "unreadable record ...: a failover command was NOT carried out"));
        driver.action(action("deadletter/drpilot.failover.control-0@3", null, ActionKind.FAILOVER_REFUSED, "deadletter",
                ActionStatus.REFUSED, T0.plusSeconds(2), "unreadable record ...: an operator's instruction could not be read"));

        List<Alert> pages = trouble();
        assertThat(pages).hasSize(2).allSatisfy(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getLabels()).containsEntry("alertname", "FailoverTrouble");
        });
        assertThat(pages).extracting(Alert::getIncidentId)
                .containsExactly("deadletter/drpilot.failover.commands-0@7", "deadletter/drpilot.failover.control-0@3");
    }

    @Test
    void aFenceOnSightIsAnnouncedAsOneAndPagesWhenItFails() {
        driver.command(FailoverCommand.newBuilder().setCommandId("fence-pg-1-after-orders-1/1").setIncidentId("fence-pg-1-after-orders-1")
                .setCluster("orders").setComponent("orders-db").setFailedNode("pg-1").setReason("pg-1 takes writes again")
                .setMode(FailoverMode.FENCE).setDetectedAt(T0).setIssuedAt(T0).build());
        driver.action(action("fence-pg-1-after-orders-1", "orders", ActionKind.FAILOVER_SUMMARY, "summary", ActionStatus.FAILED,
                T0.plusSeconds(2), "failed at fence stop: could not demote pg-1: drpilot's role drpilot lacks pg_write_server_files"));
        assertThat(trouble()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.getAnnotations().get("summary")).isEqualTo("Fence on sight of orders failed");
        });
        driver.action(action("fence-pg-1-after-orders-1", "orders", ActionKind.FAILOVER_SUMMARY, "summary", ActionStatus.SUCCEEDED,
                T0.plusSeconds(40), "fenced pg-1: pg-1 is not running (its port refuses connections)"));
        assertThat(trouble()).extracting(alert -> alert.getLabels().get("alertname") + " " + alert.getStatus() + " "
                + alert.getAnnotations().get("summary")).containsExactly("FailoverTrouble RESOLVED Fence on sight of orders completed",
                "FailoverCompleted FIRING Fence on sight of orders completed");
    }

    @Test
    void aRejoinCommandIsNoFailoverToWaitFor() {
        driver.command(FailoverCommand.newBuilder().setCommandId("rejoin-orders-pg-1/rejoin").setIncidentId("rejoin-orders-pg-1")
                .setCluster("orders").setComponent("orders-db").setFailedNode("pg-1").setReason("drpilot rejoin")
                .setMode(FailoverMode.REJOIN).setDetectedAt(T0).setIssuedAt(T0).build());
        driver.advance(Duration.ofMinutes(5));
        assertThat(trouble()).isEmpty();
    }

    @Test
    void aFailedRejoinWarnsThatTheClusterIsAReplicaShortUntilARejoinSucceeds() {
        ActionRecord failed = ActionRecord.newBuilder(action("orders-rejoin-1", "orders", ActionKind.REJOIN, "rejoin", ActionStatus.FAILED,
                T0.plusSeconds(5), "pg_rewind failed: could not find previous WAL record")).setAttributes(Map.of("node", "pg-1")).build();
        driver.action(failed);
        assertThat(trouble()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getLabels()).containsEntry("alertname", "RejoinFailed").containsEntry("node", "pg-1");
            assertThat(alert.getAnnotations().get("description")).contains("pg_rewind failed", "drpilot rejoin orders pg-1");
        });
        driver.action(ActionRecord.newBuilder(action("orders-rejoin-2", "orders", ActionKind.REJOIN, "rejoin", ActionStatus.SUCCEEDED,
                T0.plusSeconds(60), "rejoined (rewind)")).setAttributes(Map.of("node", "pg-1")).build());
        assertThat(trouble()).extracting(Alert::getStatus).containsExactly(AlertStatus.RESOLVED);
    }
}
