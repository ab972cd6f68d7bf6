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
 * topics named after them: an upgrade must find them all where it left them, so their names and
 * the sub-topology (the task) that holds each must not change.
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
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Processor processor && !processor.stores().isEmpty()) {
                    stores.computeIfAbsent(subtopology.id(), id -> new TreeSet<>()).addAll(processor.stores());
                }
            }
        }
        assertThat(stores).containsOnlyKeys(0);
        assertThat(stores.get(0)).containsExactlyInAnyOrder(
                "replication-lag-alert-states", "replication-lag-firing-alerts",
                "backup-failed-alert-states", "backup-failed-firing-alerts",
                "archiving-alert-states", "archiving-firing-alerts",
                "primary-down-alert-states", "primary-down-firing-alerts", "primary-watch",
                "split-brain-alert-states", "split-brain-firing-alerts", "node-roles",
                "rto-breach-alert-states", "rto-breach-firing-alerts", "incidents",
                "rpo-breach-alert-states", "rpo-breach-firing-alerts", "recovery-points",
                "silent-collector-alert-states", "silent-collector-firing-alerts", "collectors",
                "failover-health-alert-states", "failover-health-firing-alerts", "failovers",
                "database-refuses-alert-states", "database-refuses-firing-alerts", "refusals",
                "restore-check-alert-states", "restore-check-firing-alerts", "restore-checks",
                "delivery-failed-alert-states", "delivery-failed-firing-alerts", "undelivered");
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
