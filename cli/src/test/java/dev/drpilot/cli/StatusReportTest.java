package dev.drpilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.Silence;
import dev.drpilot.notify.metrics.DrillRuns;
import dev.drpilot.notify.status.ComponentState;
import dev.drpilot.notify.status.StatusSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code drpilot status} renders one read: the sections, their columns, a cluster's selection, and the JSON. */
class StatusReportTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components:
              - {name: orders-db, kind: database, cluster: orders}
              - {name: billing-db, kind: database, cluster: billing}
            clusters:
              orders:
                component: orders-db
                nodes: [{name: pg-1, host: 10.0.0.1, role: primary}, {name: pg-2, host: 10.0.0.2}]
              billing:
                component: billing-db
                nodes: [{name: pg-a, host: 10.0.1.1, role: primary}]
            drills:
              plans:
                - {name: orders-switchover, kind: switchover, cluster: orders}
            """, "test", name -> null);

    private static StatusReader.Result read() {
        StatusSnapshot.NodeRow primary = new StatusSnapshot.NodeRow("pg-1", "primary", 3L, null, null, null, null, null, null, "primary", null, "lease");
        StatusSnapshot.NodeRow replica = new StatusSnapshot.NodeRow("pg-2", "replica", 3L, "pg-1", null, null, 0.5, 2048L, "0.5 s / 2.0 KiB",
                null, null, "observation");
        StatusSnapshot.NodeRow billing = new StatusSnapshot.NodeRow("pg-a", "unknown", null, null, null, null, null, null, null, "primary",
                null, "none");
        StatusSnapshot.ComponentRow orders = new StatusSnapshot.ComponentRow("orders-db", "database", "orders", List.of("pg-1 (primary)", "pg-2"),
                900, "15 min", 300L, "5 min", ComponentState.CRITICAL, List.of("recovery point 7 min 3 s old, over the RPO of 5 min"), List.of(),
                423.0, "7 min 3 s", "2026-12-01T11:00:00Z", "2026-12-01 11:00:00Z (1 h ago)", null, null);
        StatusSnapshot.ComponentRow billingDb = new StatusSnapshot.ComponentRow("billing-db", "database", "billing", List.of("pg-a"),
                900, "15 min", 300L, "5 min", ComponentState.UNKNOWN, List.of(), List.of(), null, null, null, null, null, null);
        StatusSnapshot.OpenAlert alert = new StatusSnapshot.OpenAlert("rpo-breach/orders-db", "rpo-breach", "orders-db", "critical",
                "Recovery point of orders-db is 7 min old", "2026-12-01T11:58:00Z", "2026-12-01 11:58:00Z (2 min ago)", null, null);
        StatusSnapshot snapshot = new StatusSnapshot(NOW.toString(), "", List.of(orders, billingDb), List.of(alert), List.of(),
                List.of(new StatusSnapshot.ClusterTopology("orders", List.of("pg-1"), null, List.of(primary, replica)),
                        new StatusSnapshot.ClusterTopology("billing", List.of(), "no primary seen", List.of(billing))));
        DrillRuns.Run drill = new DrillRuns.Run("drill-1", "PASSED", NOW.minus(Duration.ofDays(2)), Optional.of(Duration.ofMillis(42_300)),
                Optional.of(Duration.ZERO), "switched over and back");
        return new StatusReader.Result(snapshot, Map.of("orders-switchover", drill),
                List.of(new StatusReader.Pause("billing", NOW.minusSeconds(600), "alice", "failover of billing paused by alice: patching")),
                List.of(new StatusReader.PendingApproval("orders-inc-7", "orders", NOW.minusSeconds(30), "manual mode")), 0);
    }

    @Test
    void theTableShowsNodesTargetsBesideFiguresAlertsPausesAndApprovals() {
        List<String> lines = StatusReport.of(CONFIG, read(), Optional.empty(), NOW).table().lines().toList();

        assertThat(lines.get(0).split("\\s+")).containsExactly("CLUSTER", "NODE", "ROLE", "TIMELINE", "UPSTREAM", "LAG", "SINCE", "NOTE");
        assertThat(lines.get(1).split("\\s+")).startsWith("orders", "pg-1", "primary", "3", "-", "-", "-");
        assertThat(lines.get(2).split("\\s+")).startsWith("orders", "pg-2", "replica", "3", "pg-1", "0.5", "s", "/", "2.0", "KiB");
        assertThat(lines.get(3).split("\\s+")).startsWith("billing", "pg-a", "unknown");
        assertThat(lines.get(4)).isEqualTo("WARNING billing: no primary seen");
        assertThat(lines.get(5)).isEmpty();
        assertThat(lines.get(6)).startsWith("COMPONENT").contains("STATE", "RTO", "DRILL RTO", "RPO", "RECOVERY POINT AGE", "LAST GOOD BACKUP");
        // Every column of one row starts where its heading starts.
        String heading = lines.get(6);
        String orders = lines.get(7);
        assertThat(orders.substring(heading.indexOf("DRILL RTO"))).startsWith("42.3 s");
        assertThat(orders.substring(heading.indexOf("RPO "))).startsWith("5 min");
        assertThat(orders.substring(heading.indexOf("RECOVERY POINT AGE"))).startsWith("7 min 3 s");
        assertThat(orders.substring(heading.indexOf("LAST GOOD BACKUP"))).isEqualTo("2026-12-01 11:00:00Z (1 h ago)");
        assertThat(orders.split("\\s+")).startsWith("orders-db", "database", "critical", "15", "min");
        assertThat(lines.get(8).split("\\s+")).startsWith("billing-db", "database", "unknown", "15", "min", "-", "5", "min", "-", "-");
        assertThat(lines.get(9)).isEqualTo("  orders-db: recovery point 7 min 3 s old, over the RPO of 5 min");
        assertThat(lines.get(11).split("\\s+")).containsExactly("ALERT", "SEVERITY", "COMPONENT", "SINCE", "SUMMARY");
        assertThat(lines.get(12)).startsWith("rpo-breach  critical  orders-db  2026-12-01 11:58:00Z (2 min ago)  Recovery point");
        assertThat(lines.get(14).split("\\s+")).containsExactly("PAUSED", "CLUSTER", "SINCE", "BY", "DETAIL");
        assertThat(lines.get(15)).startsWith("billing").contains("2026-12-01 11:50:00Z (10 min ago)", "alice", "patching");
        assertThat(lines.get(17)).isEqualTo("No silences in force.");
        assertThat(lines.get(19)).startsWith("AWAITING APPROVAL");
        assertThat(lines.get(20)).startsWith("orders-inc-7").endsWith("drpilot failover approve orders-inc-7");
        assertThat(lines).hasSize(21);
    }

    @Test
    void oneClusterShowsOnlyItsNodesComponentAlertsAndPause() {
        StatusReport billing = StatusReport.of(CONFIG, read(), Optional.of("billing"), NOW);

        assertThat(billing.clusters()).extracting(StatusSnapshot.ClusterTopology::cluster).containsExactly("billing");
        assertThat(billing.components()).extracting(StatusReport.ComponentStatus::name).containsExactly("billing-db");
        assertThat(billing.components().get(0).drill()).as("billing has no drill").isNull();
        assertThat(billing.alerts()).as("the alert is orders-db's").isEmpty();
        assertThat(billing.pauses()).extracting(StatusReport.PauseRow::cluster).containsExactly("billing");
        assertThat(billing.approvalsPending()).isEmpty();
        assertThat(billing.table()).contains("No open alerts.").doesNotContain("AWAITING APPROVAL", "orders");

        StatusReport orders = StatusReport.of(CONFIG, read(), Optional.of("orders"), NOW);
        assertThat(orders.table()).contains("No failover paused.");
    }

    @Test
    void showsTheSilencesInForceAndForOneClusterThoseThatMayMatchIt() throws Exception {
        Silence orders = silence("s-orders", Map.of("cluster", List.of("orders"), "rule", List.of("replication-lag")), NOW.plusSeconds(3_600));
        Silence everywhere = silence("s-all", Map.of("rule", List.of("probe-failed")), NOW.plusSeconds(600));
        Silence over = silence("s-over", Map.of("cluster", List.of("orders")), NOW.minusSeconds(60));

        StatusReport all = StatusReport.of(CONFIG, read(), List.of(orders, everywhere, over), Optional.empty(), NOW);
        assertThat(all.silences()).extracting(StatusReport.SilenceRow::id).containsExactly("s-all", "s-orders");   // ending first, first
        assertThat(all.table()).contains("SILENCE", "s-orders", "rule=replication-lag", "maintenance of orders", "(in 60 min)", "(in 10 min)").doesNotContain("s-over");
        assertThat(StatusReport.of(CONFIG, read(), List.of(orders, everywhere), Optional.of("billing"), NOW).silences())
                .extracting(StatusReport.SilenceRow::id).containsExactly("s-all");
        assertThat(StatusReport.of(CONFIG, read(), List.of(over), Optional.empty(), NOW).table()).contains("No silences in force.");
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(all));
        assertThat(json.path("silences").get(1).path("endsAt").asText()).isEqualTo("2026-12-01T13:00:00Z");
    }

    private static Silence silence(String id, Map<String, List<String>> matchers, Instant endsAt) {
        return Silence.newBuilder().setId(id).setMatchers(matchers).setStartsAt(NOW.minusSeconds(300)).setEndsAt(endsAt)
                .setCreatedBy("alice").setComment("maintenance of orders").setUpdatedAt(NOW.minusSeconds(300)).build();
    }

    @Test
    void theJsonCarriesRawFiguresBesideTheText() throws Exception {
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(StatusReport.of(CONFIG, read(), Optional.empty(), NOW)));

        assertThat(json.path("generatedAt").asText()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(json.path("clusters").get(0).path("nodes").get(1).path("upstream").asText()).isEqualTo("pg-1");
        JsonNode orders = json.path("components").get(0);
        assertThat(orders.path("rtoSeconds").asLong()).isEqualTo(900);
        assertThat(orders.path("rpoSeconds").asLong()).isEqualTo(300);
        assertThat(orders.path("state").asText()).isEqualTo("critical");
        assertThat(orders.path("recoveryPointAgeSeconds").asDouble()).isEqualTo(423.0);
        assertThat(orders.path("drill").path("drill").asText()).isEqualTo("orders-switchover");
        assertThat(orders.path("drill").path("rtoSeconds").asDouble()).isEqualTo(42.3);
        assertThat(json.path("alerts").get(0).path("rule").asText()).isEqualTo("rpo-breach");
        assertThat(json.path("alerts").get(0).path("severity").asText()).isEqualTo("critical");
        assertThat(json.path("alerts").get(0).path("since").asText()).isEqualTo("2026-12-01T11:58:00Z");
        assertThat(json.path("pauses").get(0).path("cluster").asText()).isEqualTo("billing");
        assertThat(json.path("pauses").get(0).path("since").asText()).isEqualTo("2026-12-01T11:50:00Z");
        assertThat(json.path("approvalsPending").get(0).path("incident").asText()).isEqualTo("orders-inc-7");
    }
}
