package dev.drpilot.ingest.replication;

import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns what the primary and a replica said into one {@link ReplicationObservation}. A pure
 * function, so every case of the lag arithmetic is unit-tested.
 *
 * <p>How the figures are computed:
 * <ul>
 *   <li><b>lagBytes</b> = primary's {@code pg_current_wal_lsn()} − replica's
 *       {@code pg_last_wal_replay_lsn()} (the replica's own answer; its
 *       {@code pg_stat_replication.replay_lsn} when the replica cannot be reached). Without a
 *       primary: receive − replay on the replica, the WAL it has but has not applied.</li>
 *   <li><b>lagSeconds</b> = 0 when the replica has replayed everything the primary had written
 *       when it was asked (the primary is read first) — so a caught-up replica of an idle primary
 *       reports 0, not the growing {@code now() - pg_last_xact_replay_timestamp()}. When it is
 *       behind: the replica's {@code now() - pg_last_xact_replay_timestamp()} (one clock), or the
 *       primary's {@code replay_lag} when no transaction was replayed since the replica started.
 *       Without a primary, or with neither figure, it is null: no measurement, not zero.</li>
 * </ul>
 * A single read right after a write on a long-idle primary can overstate the seconds for one
 * interval; the lag rule's hold time is what keeps such a sample from alerting.
 *
 * <p>The topology figures: the replica's {@code timeline} (what its receiver received last, or, not in recovery, what it
 * writes on), the primary's, and the replica's {@code upstream} as the collector resolved its WAL receiver's sender.
 */
final class ReplicationLag {
    private ReplicationLag() {
    }

    static ReplicationObservation observe(String component, String cluster, Source source, Instant observedAt,
                                          Optional<PrimaryView> primary, String replicaNode,
                                          Optional<ReplicaView> replica, Optional<String> replicaError, Optional<String> upstream) {
        Optional<PrimaryView.StandbyRow> row = primary.flatMap(view -> view.standby(replicaNode));
        Optional<ReplicaView> replaying = replica.filter(ReplicaView::inRecovery);
        Long replayLsn = replaying.map(ReplicaView::replayLsn).orElse(row.map(PrimaryView.StandbyRow::replayLsn).orElse(null));
        Long primaryLsn = primary.map(PrimaryView::currentLsn).orElse(null);

        ReplicationObservation.Builder observation = ReplicationObservation.newBuilder()
                .setObservedAt(observedAt)
                .setSource(source)
                .setComponent(component)
                .setCluster(cluster)
                .setPrimaryNode(primary.map(PrimaryView::node).orElse(null))
                .setReplicaNode(replicaNode)
                .setStreaming(row.isPresent())
                .setState(row.map(PrimaryView.StandbyRow::state).orElse(null))
                .setSyncState(row.map(PrimaryView.StandbyRow::syncState).orElse(null))
                .setSentLsn(row.map(PrimaryView.StandbyRow::sentLsn).orElse(null))
                .setWriteLsn(row.map(PrimaryView.StandbyRow::writeLsn).orElse(null))
                .setFlushLsn(row.map(PrimaryView.StandbyRow::flushLsn).orElse(null))
                .setReplayLsn(replayLsn)
                .setWriteLagSeconds(row.map(PrimaryView.StandbyRow::writeLagSeconds).orElse(null))
                .setFlushLagSeconds(row.map(PrimaryView.StandbyRow::flushLagSeconds).orElse(null))
                .setReplayLagSeconds(row.map(PrimaryView.StandbyRow::replayLagSeconds).orElse(null))
                .setPrimaryLsn(primaryLsn)
                .setWalReceiverStatus(replica.map(ReplicaView::walReceiverStatus).orElse(null))
                .setInRecovery(replica.map(ReplicaView::inRecovery).orElse(null))
                .setLastReplayAt(replica.map(ReplicaView::lastReplayAt).orElse(null))
                .setLagBytes(lagBytes(primaryLsn, replayLsn, replaying))
                .setLagSeconds(lagSeconds(primaryLsn, replayLsn, replaying, row))
                .setTimeline(replica.map(ReplicaView::timeline).orElse(null))
                .setPrimaryTimeline(primary.map(PrimaryView::timeline).orElse(null))
                .setUpstream(upstream.orElse(null));

        List<String> problems = new ArrayList<>();
        replicaError.ifPresent(error -> problems.add("replica " + replicaNode + ": " + error));
        if (primary.isEmpty()) {
            problems.add("no primary answered");
        } else if (row.isEmpty()) {
            problems.add(replicaNode + " is not in " + primary.get().node() + "'s pg_stat_replication (not streaming)");
        }
        replica.filter(view -> !view.inRecovery()).ifPresent(view -> problems.add(replicaNode + " is not in recovery (it acts as a primary)"));
        observation.setError(problems.isEmpty() ? null : String.join("; ", problems));
        return observation.build();
    }

    private static Long lagBytes(Long primaryLsn, Long replayLsn, Optional<ReplicaView> replaying) {
        if (primaryLsn != null && replayLsn != null) {
            return Math.max(0, primaryLsn - replayLsn);
        }
        return replaying.filter(view -> view.receiveLsn() != null && view.replayLsn() != null)
                .map(view -> Math.max(0, view.receiveLsn() - view.replayLsn()))
                .orElse(null);
    }

    private static Double lagSeconds(Long primaryLsn, Long replayLsn, Optional<ReplicaView> replaying,
                                     Optional<PrimaryView.StandbyRow> row) {
        if (primaryLsn == null || replayLsn == null) {
            return null;
        }
        if (replayLsn >= primaryLsn) {
            return 0.0;
        }
        Optional<Double> sinceLastReplay = replaying.filter(view -> view.lastReplayAt() != null && view.now() != null)
                .map(view -> Math.max(0, Duration.between(view.lastReplayAt(), view.now()).toMillis()) / 1000.0);
        return sinceLastReplay.or(() -> row.map(PrimaryView.StandbyRow::replayLagSeconds)).orElse(null);
    }
}
