package dev.drpilot.ingest.replication;

import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationLagTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");
    private static final Source SOURCE = Source.newBuilder().setCollectorId("c1").setVantage("eu").build();

    private static PrimaryView primary(long currentLsn, PrimaryView.StandbyRow... rows) {
        Map<String, PrimaryView.StandbyRow> standbys = new java.util.HashMap<>();
        for (PrimaryView.StandbyRow row : rows) {
            standbys.put(row.applicationName(), row);
        }
        return new PrimaryView("pg-1", currentLsn, 3L, standbys, Optional.empty());
    }

    private static PrimaryView.StandbyRow streaming(String node, long replayLsn, Double replayLag) {
        return new PrimaryView.StandbyRow(node, "streaming", "async", replayLsn, replayLsn, replayLsn, replayLsn,
                replayLag == null ? null : replayLag / 4, replayLag == null ? null : replayLag / 2, replayLag);
    }

    private static ReplicaView replica(long receiveLsn, long replayLsn, Instant lastReplayAt) {
        return new ReplicaView("pg-2", true, receiveLsn, replayLsn, lastReplayAt, NOW, "streaming", 3L, Optional.of("10.0.0.1:5432"));
    }

    private static ReplicationObservation observe(Optional<PrimaryView> primary, Optional<ReplicaView> replica, Optional<String> error) {
        return ReplicationLag.observe("orders-db", "orders", SOURCE, NOW, primary, "pg-2", replica, error,
                replica.flatMap(ReplicaView::sender).map(sender -> "pg-1"));
    }

    @Test
    void aCaughtUpReplicaOfAnIdlePrimaryHasNoLagHoweverOldItsLastReplayedTransaction() {
        ReplicationObservation observation = observe(Optional.of(primary(5_000, streaming("pg-2", 5_000, null))),
                Optional.of(replica(5_000, 5_000, NOW.minusSeconds(3_600))), Optional.empty());

        assertThat(observation.getLagSeconds()).isEqualTo(0.0);
        assertThat(observation.getLagBytes()).isEqualTo(0L);
        assertThat(observation.getStreaming()).isTrue();
        assertThat(observation.getError()).isNull();
    }

    @Test
    void aReplicaBehindTheReadPrimaryPositionLagsSinceItsLastReplayedTransaction() {
        ReplicationObservation observation = observe(Optional.of(primary(9_000, streaming("pg-2", 4_000, 0.5))),
                Optional.of(replica(9_000, 4_000, NOW.minusSeconds(75))), Optional.empty());

        assertThat(observation.getLagBytes()).isEqualTo(5_000L);
        assertThat(observation.getLagSeconds()).isEqualTo(75.0);
        assertThat(observation.getPrimaryLsn()).isEqualTo(9_000L);
        assertThat(observation.getReplayLsn()).isEqualTo(4_000L);
    }

    @Test
    void withoutAReplayedTransactionThePrimarysReplayLagIsUsed() {
        ReplicationObservation observation = observe(Optional.of(primary(9_000, streaming("pg-2", 4_000, 2.5))),
                Optional.of(replica(9_000, 4_000, null)), Optional.empty());

        assertThat(observation.getLagSeconds()).isEqualTo(2.5);
        assertThat(observation.getReplayLagSeconds()).isEqualTo(2.5);
        assertThat(observation.getFlushLagSeconds()).isEqualTo(1.25);
        assertThat(observation.getWriteLagSeconds()).isEqualTo(0.625);
    }

    @Test
    void aReplicaMissingFromPgStatReplicationIsNotStreaming() {
        ReplicationObservation observation = observe(Optional.of(primary(9_000)),
                Optional.of(replica(4_000, 4_000, NOW.minusSeconds(10))), Optional.empty());

        assertThat(observation.getStreaming()).isFalse();
        assertThat(observation.getState()).isNull();
        assertThat(observation.getLagBytes()).isEqualTo(5_000L);
        assertThat(observation.getError()).isEqualTo("pg-2 is not in pg-1's pg_stat_replication (not streaming)");
    }

    @Test
    void anUnreachableReplicaIsMeasuredFromThePrimarysView() {
        ReplicationObservation observation = observe(Optional.of(primary(9_000, streaming("pg-2", 8_000, 1.25))),
                Optional.empty(), Optional.of("Connection refused"));

        assertThat(observation.getLagBytes()).isEqualTo(1_000L);
        assertThat(observation.getLagSeconds()).isEqualTo(1.25);
        assertThat(observation.getInRecovery()).isNull();
        assertThat(observation.getError()).isEqualTo("replica pg-2: Connection refused");
    }

    @Test
    void withoutAPrimaryOnlyTheUnappliedWalIsKnownAndSecondsAreNoMeasurement() {
        ReplicationObservation observation = observe(Optional.empty(), Optional.of(replica(7_000, 6_500, NOW.minusSeconds(30))), Optional.empty());

        assertThat(observation.getLagBytes()).isEqualTo(500L);
        assertThat(observation.getLagSeconds()).isNull();
        assertThat(observation.getPrimaryNode()).isNull();
        assertThat(observation.getError()).isEqualTo("no primary answered");
    }

    @Test
    void aNodeThatIsNotInRecoveryIsFlagged() {
        ReplicaView promoted = new ReplicaView("pg-2", false, null, null, null, NOW, null, 4L, Optional.empty());
        ReplicationObservation observation = observe(Optional.of(primary(9_000)), Optional.of(promoted), Optional.empty());

        assertThat(observation.getInRecovery()).isFalse();
        assertThat(observation.getError()).contains("pg-2 is not in recovery (it acts as a primary)");
        assertThat(observation.getLagSeconds()).isNull();
        assertThat(observation.getTimeline()).as("the timeline it writes on").isEqualTo(4L);
        assertThat(observation.getPrimaryTimeline()).isEqualTo(3L);
        assertThat(observation.getUpstream()).isNull();
    }

    @Test
    void aStreamingReplicaCarriesItsTimelineAndUpstream() {
        ReplicationObservation observation = observe(Optional.of(primary(5_000, streaming("pg-2", 5_000, null))),
                Optional.of(replica(5_000, 5_000, NOW.minusSeconds(5))), Optional.empty());

        assertThat(observation.getTimeline()).isEqualTo(3L);
        assertThat(observation.getPrimaryTimeline()).isEqualTo(3L);
        assertThat(observation.getUpstream()).isEqualTo("pg-1");
    }

    @Test
    void anUnreachableReplicaHasNoTimelineOrUpstream() {
        ReplicationObservation observation = observe(Optional.of(primary(5_000)), Optional.empty(), Optional.of("connection refused"));

        assertThat(observation.getTimeline()).isNull();
        assertThat(observation.getUpstream()).isNull();
        assertThat(observation.getPrimaryTimeline()).isEqualTo(3L);
    }
}
