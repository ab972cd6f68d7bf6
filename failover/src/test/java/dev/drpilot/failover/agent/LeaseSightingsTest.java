package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseSightingsTest {
    private final LeaseSightings sightings = LeaseSightings.detached(() -> 0L);

    private static AgentLease lease(String node, String agentId, long sequence) {
        return AgentLease.newBuilder().setCluster("orders").setNode(node).setAgentId(agentId).setState(LeaseState.HOLDING)
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
}
