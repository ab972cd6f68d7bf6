package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseSightingsTest {
    private long now = 0;
    private final LeaseSightings sightings = LeaseSightings.detached(() -> now);

    private static AgentLease lease(String node, String agentId, long sequence) {
        return lease(node, agentId, sequence, LeaseState.HOLDING);
    }

    private static AgentLease lease(String node, String agentId, long sequence, LeaseState state) {
        return AgentLease.newBuilder().setCluster("orders").setNode(node).setAgentId(agentId).setState(state)
                .setSequence(sequence).setTtlMillis(3_000).setRenewedAt(Instant.EPOCH).setDetails(Map.of()).build();
    }

    @Test
    void theNewestRecordOfANodeIsKnownFromWhenItWasFirstSeen() {
        sightings.accept(lease("pg-1", "agent-a", 41), 1_000);
        sightings.accept(lease("pg-1", "agent-a", 42), 2_000);
        sightings.accept(lease("pg-1", "agent-a", 42), 9_000);   // read again (a second partition assignment): not later

        assertThat(sightings.firstSeen(lease("pg-1", "agent-a", 42))).contains(2_000L);
        assertThat(sightings.firstSeen(lease("pg-1", "agent-a", 41))).as("not the newest any more: no earlier start").isEmpty();
        assertThat(sightings.firstSeen(lease("pg-1", "agent-a", 43))).as("not seen yet").isEmpty();
    }

    @Test
    void aRestartedAgentsFirstRecordReplacesTheOldOnesWhateverItsSequence() {
        sightings.accept(lease("pg-1", "agent-a", 500), 1_000);
        sightings.accept(lease("pg-1", "agent-b", 1), 3_000);

        assertThat(sightings.firstSeen(lease("pg-1", "agent-b", 1))).contains(3_000L);
        assertThat(sightings.firstSeen(lease("pg-1", "agent-a", 500))).isEmpty();
    }

    @Test
    void nodesAreKeptApart() {
        sightings.accept(lease("pg-1", "agent-a", 7), 1_000);
        sightings.accept(lease("pg-2", "agent-c", 3), 5_000);

        assertThat(sightings.firstSeen(lease("pg-1", "agent-a", 7))).contains(1_000L);
        assertThat(sightings.firstSeen(lease("pg-2", "agent-c", 3))).contains(5_000L);
    }

    @Test
    void anAgentHoldingTheLeaseIsSilentSinceItsNewestRenewalWasFirstSeen() {
        assertThat(sightings.silence("orders", "pg-1")).as("not positioned yet: no judgement").isEmpty();
        sightings.positioned(1_000);
        sightings.accept(lease("pg-1", "agent-a", 7), 2_000);
        now = 2_500;
        assertThat(sightings.silence("orders", "pg-1")).contains(Duration.ofNanos(500));
        sightings.accept(lease("pg-1", "agent-a", 8), 3_000);
        now = 10_000;
        assertThat(sightings.silence("orders", "pg-1")).contains(Duration.ofNanos(7_000));
        assertThat(sightings.silence("payments", "pg-1")).as("another cluster's node of that name: silent since the tail started")
                .contains(Duration.ofNanos(9_000));
    }

    @Test
    void anAgentThatReleasedItsLeaseOrSelfFencedHasNothingToRenewSoItsSilenceSaysNothing() {
        sightings.positioned(0);
        sightings.accept(lease("pg-1", "agent-a", 7, LeaseState.RELEASED), 1_000);
        sightings.accept(lease("pg-2", "agent-b", 3, LeaseState.SELF_FENCED), 1_000);
        now = 60_000;
        assertThat(sightings.silence("orders", "pg-1")).isEmpty();
        assertThat(sightings.silence("orders", "pg-2")).isEmpty();
        sightings.accept(lease("pg-1", "agent-c", 1), 61_000);   // restarted and holding again
        now = 62_000;
        assertThat(sightings.silence("orders", "pg-1")).contains(Duration.ofNanos(1_000));
    }
}
