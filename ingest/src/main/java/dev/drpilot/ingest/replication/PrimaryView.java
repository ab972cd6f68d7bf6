package dev.drpilot.ingest.replication;

import dev.drpilot.ingest.archive.ArchiverReading;

import java.util.Map;
import java.util.Optional;

/**
 * What the primary says: its current WAL position and its {@code pg_stat_replication} rows,
 * by {@code application_name} (the replica's node name, or its {@code cluster_name}), its archiver, and the timeline it writes on
 * (null when not known).
 */
record PrimaryView(String node, long currentLsn, Long timeline, Map<String, StandbyRow> standbys, Optional<ArchiverReading> archiver) {
    PrimaryView {
        standbys = Map.copyOf(standbys);
    }

    Optional<StandbyRow> standby(String node) {
        return Optional.ofNullable(standbys.get(node));
    }

    /** One row of pg_stat_replication; positions in bytes, lag in seconds, null where the view has NULL. */
    record StandbyRow(String applicationName, String state, String syncState, Long sentLsn, Long writeLsn,
                      Long flushLsn, Long replayLsn, Double writeLagSeconds, Double flushLagSeconds, Double replayLagSeconds) {
    }
}
