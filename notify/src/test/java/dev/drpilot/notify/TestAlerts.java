package dev.drpilot.notify;

import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import dev.drpilot.schemas.topic.Topics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Alerts shaped as the detector writes them. */
public final class TestAlerts {
    public static final Instant STARTS_AT = Instant.parse("2026-11-24T03:00:00Z");

    static {
        // Loading the serdes makes Avro trust drpilot's event classes, which copying a record needs.
        Topics.ALERTS.valueSerde();
    }

    private TestAlerts() {
    }

    /** A replication-lag alert on {@code cluster}/pg-2, firing since {@link #STARTS_AT}, 95 s over a 60 s threshold. */
    public static Alert.Builder firing(String cluster, Severity severity) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("component", "orders-db");
        labels.put("cluster", cluster);
        labels.put("node", "pg-2");
        labels.put("alertname", "ReplicationLag");
        labels.put("rule", "replication-lag");
        labels.put("severity", severity.name().toLowerCase(Locale.ROOT));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", "Replica pg-2 of " + cluster + " is 95 s behind");
        annotations.put("description", "Replication lag stayed above 60 s for 30 s.");
        annotations.put("runbook_url", "https://runbooks.example.com/replication-lag");
        return Alert.newBuilder()
                .setFingerprint("replication-lag/cluster=" + cluster + "/component=orders-db/node=pg-2")
                .setRule("replication-lag")
                .setStatus(AlertStatus.FIRING)
                .setSeverity(severity)
                .setComponent("orders-db")
                .setCluster(cluster)
                .setNode("pg-2")
                .setLabels(labels)
                .setAnnotations(annotations)
                .setValue(95.0)
                .setThreshold(60.0)
                .setUnit("seconds")
                .setStartsAt(STARTS_AT)
                .setEndsAt(null)
                .setEmittedAt(Instant.now());
    }

    public static Alert resolved(Alert firing, Instant endsAt) {
        return Alert.newBuilder(firing).setStatus(AlertStatus.RESOLVED).setEndsAt(endsAt).setEmittedAt(Instant.now()).build();
    }
}
