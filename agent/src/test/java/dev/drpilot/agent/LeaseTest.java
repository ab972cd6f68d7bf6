package dev.drpilot.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease on a clock moved by hand: a 10 s TTL, the fence due 8 s after the newest acknowledged send. */
class LeaseTest {
    private static final long MS = 1_000_000L;
    private final Lease lease = new Lease(Duration.ofSeconds(10), Duration.ofSeconds(8));

    @Test
    void aPrimaryBeginsALeaseAndAStandbyOrADeadPostmasterReleasesIt() {
        assertThat(lease.roleSeen(Lease.Role.STANDBY, 0)).isEqualTo(Lease.Change.NONE);
        assertThat(lease.roleSeen(Lease.Role.PRIMARY, 0)).isEqualTo(Lease.Change.BEGAN_HOLDING);
        assertThat(lease.roleSeen(Lease.Role.PRIMARY, 100 * MS)).isEqualTo(Lease.Change.NONE);
        assertThat(lease.roleSeen(Lease.Role.UNKNOWN, 200 * MS)).isEqualTo(Lease.Change.NONE);
        assertThat(lease.state()).isEqualTo(Lease.State.HOLDING);
        assertThat(lease.roleSeen(Lease.Role.DOWN, 300 * MS)).isEqualTo(Lease.Change.RELEASED);
        assertThat(lease.state()).isEqualTo(Lease.State.IDLE);
        assertThat(lease.mustFence(60_000 * MS)).isFalse();
    }

    @Test
    void withoutAnyAcknowledgementTheFenceIsDueFromWhenTheLeaseBegan() {
        lease.roleSeen(Lease.Role.PRIMARY, 1_000 * MS);
        assertThat(lease.mustFence(8_999 * MS)).isFalse();
        assertThat(lease.mustFence(9_000 * MS)).isTrue();
        assertThat(lease.writesEndBy()).isEqualTo(11_000 * MS);
    }

    @Test
    void theFenceIsTimedFromTheSendOfTheNewestAcknowledgedRenewalNotFromItsAcknowledgement() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        // Sent at 2 s, acknowledged whenever: the lease runs from 2 s.
        lease.acknowledged(2_000 * MS);
        assertThat(lease.newestAcknowledgedSend()).hasValue(2_000 * MS);
        assertThat(lease.mustFence(9_999 * MS)).isFalse();
        assertThat(lease.mustFence(10_000 * MS)).isTrue();
        assertThat(lease.nanosUntilFence(9_000 * MS)).isEqualTo(1_000 * MS);
    }

    @Test
    void aLateAcknowledgementOfAnOlderSendNeverMovesTheAnchorBack() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(4_000 * MS);
        lease.acknowledged(2_000 * MS);
        assertThat(lease.newestAcknowledgedSend()).hasValue(4_000 * MS);
        assertThat(lease.mustFence(11_999 * MS)).isFalse();
    }

    @Test
    void aSendFromBeforeTheLeaseBeganDoesNotRenewIt() {
        lease.roleSeen(Lease.Role.PRIMARY, 5_000 * MS);
        lease.acknowledged(4_000 * MS);
        assertThat(lease.newestAcknowledgedSend()).isEmpty();
        assertThat(lease.mustFence(13_000 * MS)).isTrue();
    }

    @Test
    void onceTheFenceHasBegunNoAcknowledgementRenewsTheLease() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        assertThat(lease.mustFence(8_000 * MS)).isTrue();
        assertThat(lease.fencing()).isTrue();
        lease.acknowledged(7_900 * MS);
        assertThat(lease.state()).isEqualTo(Lease.State.FENCING);
        // The server is down while it is being demoted: that releases nothing mid-fence.
        assertThat(lease.roleSeen(Lease.Role.DOWN, 8_100 * MS)).isEqualTo(Lease.Change.NONE);
        lease.fenced();
        assertThat(lease.state()).isEqualTo(Lease.State.FENCED);
        assertThat(lease.mustFence(20_000 * MS)).isFalse();
    }

    @Test
    void aDemotedNodeIsIdleAndANodeSeenPrimaryAgainAfterAFenceBeginsAFreshLease() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.fencing();
        lease.fenced();
        assertThat(lease.roleSeen(Lease.Role.STANDBY, 9_000 * MS)).isEqualTo(Lease.Change.NONE);
        assertThat(lease.state()).isEqualTo(Lease.State.IDLE);
        assertThat(lease.roleSeen(Lease.Role.PRIMARY, 30_000 * MS)).isEqualTo(Lease.Change.BEGAN_HOLDING);
        assertThat(lease.mustFence(37_999 * MS)).isFalse();
        assertThat(lease.mustFence(38_000 * MS)).isTrue();
    }

    @Test
    void aServerThatAnswersNothingForAWholeTtlIsNoLongerRenewedForSoItsFenceComes() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.roleSeen(Lease.Role.UNKNOWN, 1_000 * MS);
        lease.roleSeen(Lease.Role.UNKNOWN, 5_000 * MS);
        assertThat(lease.mayRenew(10_999 * MS)).isTrue();
        assertThat(lease.mayRenew(11_000 * MS)).isFalse();
        // An answer in between starts the count again: a blip is not a hang.
        lease.roleSeen(Lease.Role.PRIMARY, 11_500 * MS);
        lease.roleSeen(Lease.Role.UNKNOWN, 12_000 * MS);
        assertThat(lease.mayRenew(21_999 * MS)).isTrue();
        assertThat(lease.mayRenew(22_000 * MS)).isFalse();
    }

    @Test
    void onlyAHeldLeaseIsRenewed() {
        assertThat(lease.mayRenew(0)).isFalse();
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        assertThat(lease.mayRenew(0)).isTrue();
        lease.fencing();
        assertThat(lease.mayRenew(0)).isFalse();
    }

    @Test
    void theClockMayWrapAround() {
        long start = Long.MAX_VALUE - 1_000 * MS;
        lease.roleSeen(Lease.Role.PRIMARY, start);
        lease.acknowledged(start + 2_000 * MS);
        assertThat(lease.mustFence(start + 9_999 * MS)).isFalse();
        assertThat(lease.mustFence(start + 10_000 * MS)).isTrue();
    }
}
