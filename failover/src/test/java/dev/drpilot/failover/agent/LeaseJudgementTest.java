package dev.drpilot.failover.agent;

import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What pg-1's lease proves, read on the actuator's clock (seconds here): a HOLDING read at 0 s with a 3 s TTL expires at
 * readerWait(3 s) = 3 × 1.01² + 1 = 4.0603 s; what comes before that ends the wait early.
 */
class LeaseJudgementTest {
    private static final long S = 1_000_000_000L;
    private static final LeaseExpiry EXPIRY = LeaseExpiry.DEFAULT;

    private static AgentLease lease(String node, String agent, long sequence, LeaseState state) {
        return AgentLease.newBuilder().setCluster("orders").setNode(node).setAgentId(agent).setState(state).setSequence(sequence)
                .setTtlMillis(3_000).setRenewedAt(Instant.EPOCH).setDetails(Map.of()).build();
    }

    private static final AgentLease HOLDING = lease("pg-1", "a1", 7, LeaseState.HOLDING);

    record First(List<AgentLease> records, LeaseFinding.Kind finding) {
    }

    static Stream<First> firstReads() {
        return Stream.of(
                new First(List.of(), LeaseFinding.Kind.PROVES_NOTHING),                                           // no lease ever
                new First(List.of(HOLDING, lease("pg-2", "b1", 1, LeaseState.HOLDING)), LeaseFinding.Kind.PROVES_NOTHING),   // another node's
                new First(List.of(HOLDING, lease("pg-1", "a1", 8, LeaseState.UNGUARDED)), LeaseFinding.Kind.PROVES_NOTHING),
                new First(List.of(HOLDING, lease("pg-1", "a1", 8, LeaseState.RELEASED)), LeaseFinding.Kind.PROVES_NOTHING), // its agent may be gone since
                new First(List.of(HOLDING, lease("pg-1", "a1", 8, LeaseState.SELF_FENCED)), LeaseFinding.Kind.GIVEN_UP),
                new First(List.of(lease("pg-2", "b1", 1, LeaseState.HOLDING), HOLDING), null));                   // wait
    }

    @ParameterizedTest
    @MethodSource("firstReads")
    void theFirstReadDecidesWhetherToWait(First row) {
        Optional<LeaseFinding> finding = new LeaseJudgement("pg-1", EXPIRY, Duration.ZERO).first(row.records(), 0);
        assertThat(finding.map(LeaseFinding::kind).orElse(null)).isEqualTo(row.finding());
    }

    record Later(List<AgentLease> records, double at, LeaseFinding.Kind finding) {
    }

    static Stream<Later> laterReads() {
        return Stream.of(
                new Later(List.of(), 1, null),
                new Later(List.of(), 4.06, null),
                new Later(List.of(), 4.061, LeaseFinding.Kind.EXPIRED),
                new Later(List.of(HOLDING), 5, LeaseFinding.Kind.EXPIRED),                                                // the same record again
                new Later(List.of(lease("pg-2", "b1", 1, LeaseState.HOLDING)), 5, LeaseFinding.Kind.EXPIRED),              // others change nothing
                new Later(List.of(lease("pg-1", "a1", 8, LeaseState.HOLDING)), 1, LeaseFinding.Kind.RENEWING),
                new Later(List.of(lease("pg-1", "a2", 1, LeaseState.HOLDING)), 1, LeaseFinding.Kind.RENEWING),             // a restarted agent
                new Later(List.of(lease("pg-1", "a1", 8, LeaseState.HOLDING)), 9, LeaseFinding.Kind.RENEWING),             // late, but it renewed
                new Later(List.of(lease("pg-1", "a1", 8, LeaseState.SELF_FENCED)), 2, LeaseFinding.Kind.GIVEN_UP),
                new Later(List.of(lease("pg-1", "a1", 8, LeaseState.RELEASED)), 2, LeaseFinding.Kind.GIVEN_UP),
                new Later(List.of(lease("pg-1", "a1", 8, LeaseState.UNGUARDED)), 2, LeaseFinding.Kind.PROVES_NOTHING),
                new Later(List.of(lease("pg-1", "a1", 6, LeaseState.HOLDING)), 2, null));                                 // older than the one waited on
    }

    @ParameterizedTest
    @MethodSource("laterReads")
    void laterReadsEndTheWait(Later row) {
        LeaseJudgement judgement = new LeaseJudgement("pg-1", EXPIRY, Duration.ZERO);
        assertThat(judgement.first(List.of(HOLDING), 0)).isEmpty();
        Optional<LeaseFinding> finding = judgement.next(row.records(), (long) (row.at() * S));
        assertThat(finding.map(LeaseFinding::kind).orElse(null)).isEqualTo(row.finding());
    }

    @Test
    void theLongerOfTheRecordsAndTheConfiguredTtlCounts() {
        LeaseJudgement judgement = new LeaseJudgement("pg-1", EXPIRY, Duration.ofSeconds(10));
        judgement.first(List.of(HOLDING), 0);
        assertThat(judgement.expiresAt()).isEqualTo(EXPIRY.readerWait(Duration.ofSeconds(10)).toNanos());
        assertThat(judgement.next(List.of(), 5 * S)).isEmpty();
    }

    @Test
    void anExpiryNamesWhatWasWaitedOn() {
        LeaseJudgement judgement = new LeaseJudgement("pg-1", EXPIRY, Duration.ZERO);
        judgement.first(List.of(HOLDING), 0);
        assertThat(judgement.next(List.of(), 5 * S).orElseThrow().detail()).isEqualTo("the newest lease of pg-1 (HOLDING, agent a1, sequence 7,"
                + " TTL 3000 ms) was read 5000 ms ago (readerWait 4060 ms) and its agent wrote nothing since");
    }
}
