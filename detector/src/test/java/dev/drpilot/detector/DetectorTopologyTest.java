package dev.drpilot.detector;

import dev.drpilot.config.ConfigLoader;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running detector's state lives in stores (local, per task) and changelog and repartition
 * topics named after them: an upgrade must find them all where it left them, so their names must
 * not change, and the sub-topology (the task) that holds each changes only with an upgrade note (the
 * stores of a moved task are restored from their changelogs at the first start; docs/operations.md).
 */
class DetectorTopologyTest {
    private final TopologyDescription description = DetectorTopology.build(ConfigLoader.parse("""
            components:
              - {name: orders-data, kind: data, rpo: 15m}
            backups: [{component: orders-data, tool: report-only}]
            """, "test", name -> null)).describe();

    @Test
    void everyStoreStaysInTheSubTopologyItWasIn() {
        Map<Integer, Set<String>> stores = new TreeMap<>();
        Map<Integer, Set<String>> inputs = new TreeMap<>();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Processor processor) {
                    stores.computeIfAbsent(subtopology.id(), id -> new TreeSet<>()).addAll(processor.stores());
                } else if (node instanceof TopologyDescription.Source source) {
                    inputs.computeIfAbsent(subtopology.id(), id -> new TreeSet<>()).addAll(source.topicSet());
                }
            }
        }
        // Since the sink per rule (2026-12-02; before, one sub-topology held every store): each sub-topology reads only
        // what its rules need, and a task checks fewer empty inputs before each record.
        assertThat(inputs).containsExactlyEntriesOf(new TreeMap<>(Map.ofEntries(
                Map.entry(0, Set.of("drpilot.observations.health", "drpilot.observations.replication", "split-brain-failovers-repartition")),
                Map.entry(1, Set.of("drpilot.observations.backup")),
                Map.entry(2, Set.of("drpilot.actions")),
                Map.entry(3, Set.of("recovery-points-repartition")),
                Map.entry(4, Set.of("drpilot.recovery.checks")),
                Map.entry(5, Set.of("restore-checks-repartition")),
                Map.entry(6, Set.of("drpilot.collectors.heartbeat")),
                Map.entry(7, Set.of("heartbeats-repartition")),
                Map.entry(8, Set.of("drpilot.failover.commands")),
                Map.entry(9, Set.of("failover-actions-repartition", "failover-commands-repartition")),
                Map.entry(10, Set.of("alert-deliveries-repartition")))));
        assertThat(stores.get(0)).containsExactlyInAnyOrder(
                "replication-lag-alert-states", "replication-lag-firing-alerts",
                "primary-down-alert-states", "primary-down-firing-alerts", "primary-watch",
                "split-brain-alert-states", "split-brain-firing-alerts", "node-roles",
                "rto-breach-alert-states", "rto-breach-firing-alerts", "incidents",
                "database-refuses-alert-states", "database-refuses-firing-alerts", "refusals");
        assertThat(stores.get(1)).containsExactlyInAnyOrder(
                "backup-failed-alert-states", "backup-failed-firing-alerts", "archiving-alert-states", "archiving-firing-alerts");
        assertThat(stores.get(3)).containsExactlyInAnyOrder("rpo-breach-alert-states", "rpo-breach-firing-alerts", "recovery-points");
        assertThat(stores.get(5)).containsExactlyInAnyOrder("restore-check-alert-states", "restore-check-firing-alerts", "restore-checks");
        assertThat(stores.get(7)).containsExactlyInAnyOrder("silent-collector-alert-states", "silent-collector-firing-alerts", "collectors");
        assertThat(stores.get(9)).containsExactlyInAnyOrder("failover-health-alert-states", "failover-health-firing-alerts", "failovers");
        assertThat(stores.get(10)).containsExactlyInAnyOrder("delivery-failed-alert-states", "delivery-failed-firing-alerts", "undelivered");
        assertThat(stores.get(2)).isEmpty();
        assertThat(stores.get(4)).isEmpty();
        assertThat(stores.get(6)).isEmpty();
        assertThat(stores.get(8)).isEmpty();
    }

    @Test
    void topicsKeepTheirNames() {
        Set<String> read = new TreeSet<>();
        Set<String> written = new TreeSet<>();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Source source) {
                    read.addAll(source.topicSet());
                } else if (node instanceof TopologyDescription.Sink sink) {
                    written.add(sink.topic());
                }
            }
        }
        assertThat(read).containsExactlyInAnyOrder("drpilot.observations.replication", "drpilot.observations.health",
                "drpilot.observations.backup", "drpilot.collectors.heartbeat", "drpilot.failover.commands", "drpilot.actions",
                "drpilot.recovery.checks", "restore-checks-repartition", "recovery-points-repartition", "heartbeats-repartition",
                "failover-commands-repartition", "failover-actions-repartition", "split-brain-failovers-repartition",
                "alert-deliveries-repartition");
        assertThat(written).containsExactlyInAnyOrder("drpilot.alerts", "drpilot.failover.commands",
                "restore-checks-repartition", "recovery-points-repartition", "heartbeats-repartition", "failover-commands-repartition",
                "failover-actions-repartition", "split-brain-failovers-repartition", "alert-deliveries-repartition");
    }
}
