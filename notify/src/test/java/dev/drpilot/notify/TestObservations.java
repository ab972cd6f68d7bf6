package dev.drpilot.notify;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Observations and failover summaries shaped as the collectors and the runbook executor write them. */
public final class TestObservations {
    private static final Source SOURCE = Source.newBuilder().setCollectorId("collector-1").setVantage("eu-west-1a").build();

    static {
        // Loading the serdes makes Avro trust drpilot's event classes, which copying a record needs.
        Topics.ACTIONS.valueSerde();
    }

    private TestObservations() {
    }

    /** Replica {@code node} of cluster {@code orders} (component {@code orders-db}), streaming from pg-1. */
    public static ReplicationObservation lag(String node, Double seconds, Long bytes, Instant observedAt) {
        return ReplicationObservation.newBuilder().setObservedAt(observedAt).setSource(SOURCE).setComponent("orders-db").setCluster("orders")
                .setPrimaryNode("pg-1").setReplicaNode(node).setStreaming(true).setState("streaming").setLagSeconds(seconds).setLagBytes(bytes)
                .build();
    }

    public static BackupObservation backup(BackupStatus status, Instant finishedAt, Instant recoveryPointAt, Instant observedAt) {
        return BackupObservation.newBuilder().setObservedAt(observedAt).setSource(SOURCE).setComponent("orders-db").setCluster("orders")
                .setTool(BackupTool.WAL_G).setStatus(status).setBackupName("base_000000010000000000000042").setFinishedAt(finishedAt)
                .setRecoveryPointAt(recoveryPointAt).build();
    }

    /** The record {@code RunbookExecutor} writes when a failover of {@code cluster} ended. */
    public static ActionRecord failoverSummary(String incident, String cluster, String outcome, ActionStatus status, Map<String, String> figures,
                                               Instant at) {
        Map<String, String> attributes = new LinkedHashMap<>(Map.of("outcome", outcome, "mode", "AUTO"));
        attributes.putAll(figures);
        return ActionRecord.newBuilder().setActionId(incident + "/summary").setKind(ActionKind.FAILOVER_SUMMARY).setName("summary")
                .setStatus(status).setIncidentId(incident).setCluster(cluster).setStartedAt(at).setFinishedAt(at)
                .setDetail("failover " + outcome).setAttributes(attributes).build();
    }

    /** A drill's summary as {@code drpilot drill} writes it on drpilot.actions. */
    public static ActionRecord drillSummary(String drill, String run, String outcome, Instant at, Map<String, String> figures) {
        Map<String, String> attributes = new LinkedHashMap<>(figures);
        attributes.put("drill", drill);
        attributes.put("outcome", outcome);
        return ActionRecord.newBuilder().setActionId(run + "/summary").setKind(ActionKind.OPERATOR).setName("summary")
                .setStatus(outcome.equals("PASSED") ? ActionStatus.SUCCEEDED : ActionStatus.FAILED).setIncidentId(run).setCluster("orders")
                .setStartedAt(at.minusSeconds(30)).setFinishedAt(at).setDetail("drill " + drill + " " + outcome).setAttributes(attributes).build();
    }
}
