package dev.drpilot.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failsafe mode's lease arithmetic on a clock moved by hand: TTL 3 s, the fence due 2 s after the anchor, renewals every
 * 500 ms, the replicas asked once Kafka acknowledged nothing for 625 ms.
 */
class LeaseFailsafeTest {
    private static final long MS = 1_000_000L;
    private static final Duration ASK_AFTER = Duration.ofMillis(625);
    private final Lease lease = new Lease(Duration.ofSeconds(3), Duration.ofSeconds(2));

    @Test
    void aLeaseKafkaNeverAcknowledgedIsNotHeldThroughFailsafe() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        assertThat(lease.needsFailsafe(1_900 * MS, ASK_AFTER)).isFalse();
    }

    @Test
    void whileKafkaAcknowledgesNobodyIsAsked() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(0);
        assertThat(lease.needsFailsafe(600 * MS, ASK_AFTER)).isFalse();
        lease.acknowledged(500 * MS);
        assertThat(lease.needsFailsafe(1_100 * MS, ASK_AFTER)).isFalse();
        assertThat(lease.needsFailsafe(1_125 * MS, ASK_AFTER)).isTrue();
    }

    @Test
    void aQuestionEveryReplicaConfirmedRenewsFromItsSendLikeAKafkaAcknowledgement() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(1_000 * MS);
        assertThat(lease.grantedByReplicas(1_700 * MS, 2)).isTrue();
        assertThat(lease.newestAcknowledgedSend()).hasValue(1_700 * MS);
        assertThat(lease.mustFence(3_699 * MS)).isFalse();
        assertThat(lease.mustFence(3_700 * MS)).isTrue();
        assertThat(lease.writesEndBy()).isEqualTo(4_700 * MS);
        // Kafka still silent: the next question is due, and the lease keeps being held through failsafe.
        assertThat(lease.needsFailsafe(2_200 * MS, ASK_AFTER)).isTrue();
        assertThat(lease.failsafe()).hasValueSatisfying(span -> {
            assertThat(span.since()).isEqualTo(1_000 * MS);
            assertThat(span.grants()).isEqualTo(1);
        });
    }

    @Test
    void withoutEveryConfirmationTheLeaseAgesAsWithoutFailsafe() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(1_000 * MS);
        // Questions at 1.7 s and 2.2 s: one replica refused both, so nothing was granted.
        assertThat(lease.mustFence(2_999 * MS)).isFalse();
        assertThat(lease.mustFence(3_000 * MS)).isTrue();
        assertThat(lease.failsafe()).isEmpty();
    }

    @Test
    void noReplicasGrantNothing() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        assertThat(lease.grantedByReplicas(700 * MS, 0)).isFalse();
        assertThat(lease.mustFence(2_000 * MS)).isTrue();
    }

    @Test
    void aGrantArrivingOnceTheFenceBeganOrForAnOlderSendRenewsNothing() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(1_000 * MS);
        assertThat(lease.grantedByReplicas(900 * MS, 2)).isFalse();
        assertThat(lease.fencing()).isTrue();
        assertThat(lease.grantedByReplicas(2_900 * MS, 2)).isFalse();
        assertThat(lease.state()).isEqualTo(Lease.State.FENCING);
    }

    @Test
    void aHungServerIsNotRenewedForThroughFailsafeEither() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(0);
        lease.roleSeen(Lease.Role.UNKNOWN, 100 * MS);
        assertThat(lease.needsFailsafe(1_000 * MS, ASK_AFTER)).isTrue();
        assertThat(lease.needsFailsafe(3_100 * MS, ASK_AFTER)).isFalse();
    }

    @Test
    void kafkaBackEndsTheSpanOnceAndSaysHowLongFailsafeHeldTheLease() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.acknowledged(1_000 * MS);
        for (long sent = 1_700; sent <= 62_200; sent += 500) {
            assertThat(lease.grantedByReplicas(sent * MS, 2)).isTrue();
        }
        // The first acknowledgement after the outage may be of a renewal sent long ago: Kafka is back all the same.
        assertThat(lease.acknowledged(1_500 * MS)).hasValueSatisfying(span -> {
            assertThat(span.heldMillis()).isEqualTo(61_200);
            assertThat(span.grants()).isEqualTo(122);
            assertThat(span.details()).containsEntry("failsafe", "held 61.2 s by 2 replicas").containsEntry("failsafeReplicas", "2");
        });
        assertThat(lease.failsafe()).isEmpty();
        assertThat(lease.newestAcknowledgedSend()).hasValue(62_200 * MS);
        assertThat(lease.acknowledged(62_700 * MS)).isEmpty();
        assertThat(lease.needsFailsafe(63_000 * MS, ASK_AFTER)).isFalse();
    }

    @Test
    void aNewLeaseForgetsTheOldSpan() {
        lease.roleSeen(Lease.Role.PRIMARY, 0);
        lease.grantedByReplicas(700 * MS, 1);
        lease.roleSeen(Lease.Role.STANDBY, 800 * MS);
        lease.roleSeen(Lease.Role.PRIMARY, 10_000 * MS);
        assertThat(lease.failsafe()).isEmpty();
        assertThat(lease.needsFailsafe(12_000 * MS, ASK_AFTER)).as("not acknowledged by Kafka yet").isFalse();
        assertThat(lease.acknowledged(10_500 * MS)).isEmpty();
    }
}
