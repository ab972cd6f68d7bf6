package dev.drpilot.failover.agent;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseWaitTest {
    @Test
    void theWaitCountsFromAnEarlierSightingOfTheSameRecord() {
        assertThat(LeaseWait.startOfWait(10_000, Optional.of(2_000L), true)).isEqualTo(2_000);
        assertThat(LeaseWait.startOfWait(10_000, Optional.empty(), true)).as("not seen by the tail: from the read").isEqualTo(10_000);
        assertThat(LeaseWait.startOfWait(10_000, Optional.of(12_000L), true)).as("never later than the read").isEqualTo(10_000);
    }

    @Test
    void inAFailsafeClusterOnlyTheReadAfterThePromiseCounts() {
        assertThat(LeaseWait.startOfWait(10_000, Optional.of(2_000L), false)).isEqualTo(10_000);
    }
}
