package dev.drpilot.recovery.drill;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OpenIncidentsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T03:00:00Z");

    @Test
    void aClusterWithoutFailoversOrAlertsMayBeDrilled() {
        assertThat(open(List.of(), List.of())).isEmpty();
    }

    @Test
    void aFailoverWithoutItsSummaryIsOpen() {
        assertThat(open(List.of(step("orders", "inc-1", "check", ActionKind.FAILOVER_STEP, Map.of())), List.of()))
                .containsExactly("failover inc-1 of orders has no summary yet (under way)");
    }

    @Test
    void aFailoverWithItsSummaryIsOver() {
        assertThat(open(List.of(step("orders", "inc-1", "check", ActionKind.FAILOVER_STEP, Map.of()),
                step("orders", "inc-1", "summary", ActionKind.FAILOVER_SUMMARY, Map.of())), List.of())).isEmpty();
    }

    @Test
    void aRefusalForNowIsNotTheEnd() {
        assertThat(open(List.of(step("orders", "inc-1", "summary", ActionKind.FAILOVER_REFUSED, Map.of("deferred", "true"))), List.of()))
                .hasSize(1);
    }

    @Test
    void anotherClustersFailoverDoesNotCount() {
        assertThat(open(List.of(step("billing", "inc-2", "check", ActionKind.FAILOVER_STEP, Map.of())), List.of())).isEmpty();
    }

    @Test
    void aCriticalAlertStillFiringForTheClusterOrItsComponentIsOpen() {
        assertThat(open(List.of(), List.of(alert("f1", "primary-down", Severity.CRITICAL, AlertStatus.FIRING, "orders", "orders-db"))))
                .containsExactly("alert primary-down is firing for orders (f1)");
        assertThat(open(List.of(), List.of(alert("f2", "rpo-breach", Severity.CRITICAL, AlertStatus.FIRING, null, "orders-db")))).hasSize(1);
    }

    @Test
    void aResolvedAWarningOrAnotherClustersAlertIsNot() {
        assertThat(open(List.of(), List.of(
                alert("f1", "primary-down", Severity.CRITICAL, AlertStatus.FIRING, "orders", "orders-db"),
                alert("f1", "primary-down", Severity.CRITICAL, AlertStatus.RESOLVED, "orders", "orders-db"),
                alert("f3", "replication-lag", Severity.WARNING, AlertStatus.FIRING, "orders", "orders-db"),
                alert("f4", "primary-down", Severity.CRITICAL, AlertStatus.FIRING, "billing", "billing-db")))).isEmpty();
    }

    @Test
    void anotherDrillOfTheClusterUnderWayIsOpenForAnHour() {
        ActionRecord started = drill("drill-a-1", "start", NOW.minusSeconds(600));
        assertThat(open(List.of(started), List.of())).singleElement().asString().startsWith("drill drill-a-1 of orders is under way");
        assertThat(open(List.of(started, drill("drill-a-1", "summary", NOW.minusSeconds(60))), List.of())).isEmpty();
        assertThat(open(List.of(drill("drill-a-0", "start", NOW.minusSeconds(7200))), List.of())).as("died long ago").isEmpty();
        assertThat(OpenIncidents.of("orders", "orders-db", List.of(started), List.of(), NOW, "drill-a-1")).as("its own").isEmpty();
    }

    private static List<String> open(List<ActionRecord> actions, List<Alert> alerts) {
        return OpenIncidents.of("orders", "orders-db", actions, alerts, NOW, "drill-self");
    }

    private static ActionRecord step(String cluster, String incident, String name, ActionKind kind, Map<String, String> attributes) {
        return ActionRecord.newBuilder().setActionId(incident + "/" + name).setKind(kind).setName(name).setStatus(ActionStatus.SUCCEEDED)
                .setIncidentId(incident).setCluster(cluster).setStartedAt(NOW.minusSeconds(30)).setAttributes(attributes).build();
    }

    private static ActionRecord drill(String run, String name, Instant at) {
        return ActionRecord.newBuilder().setActionId(run + "/" + name).setKind(ActionKind.OPERATOR).setName(name).setStatus(ActionStatus.STARTED)
                .setIncidentId(run).setCluster("orders").setStartedAt(at).setAttributes(Map.of("drill", "a")).build();
    }

    private static Alert alert(String fingerprint, String rule, Severity severity, AlertStatus status, String cluster, String component) {
        return Alert.newBuilder().setFingerprint(fingerprint).setRule(rule).setSeverity(severity).setStatus(status).setCluster(cluster)
                .setComponent(component).setStartsAt(NOW.minusSeconds(60)).setEmittedAt(NOW.minusSeconds(60)).build();
    }
}
