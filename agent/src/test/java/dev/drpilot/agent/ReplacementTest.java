package dev.drpilot.agent;

import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pg-1 answers as a primary at 10 s (the agent's clock, seconds); the newest lease of the cluster was read at {@code readAt}.
 * A holder is live for readerWait(3 s) = 4.06 s after its record was read.
 */
class ReplacementTest {
    private static final long S = 1_000_000_000L;

    record Row(String holder, LeaseState state, double readAt, Double holdingSince, Double intentAt, String replacedBy) {
        @Override
        public String toString() {
            return holder + " " + state + " read at " + readAt + " s, pg-1 holding since " + holdingSince + ", intent at " + intentAt
                    + " -> " + replacedBy;
        }
    }

    static Stream<Row> table() {
        return Stream.of(
                new Row("pg-2", LeaseState.HOLDING, 9.5, null, null, "pg-2"),          // a live holder: replaced
                new Row("pg-2", LeaseState.HOLDING, 6.0, null, null, "pg-2"),          // 4 s ago: still live (4 < 4.06)
                new Row("pg-2", LeaseState.HOLDING, 5.9, null, null, null),            // stale: a failback by hand is not fenced
                new Row("pg-2", LeaseState.RELEASED, 9.5, null, null, null),
                new Row("pg-2", LeaseState.SELF_FENCED, 9.5, null, null, null),
                new Row("pg-1", LeaseState.HOLDING, 9.5, null, null, null),            // its own
                new Row("pg-2", LeaseState.HOLDING, 9.5, 8.0, null, "pg-2"),           // began holding 2 s ago: the newcomer
                new Row("pg-2", LeaseState.HOLDING, 9.5, 5.0, null, null),             // the incumbent: the newcomer fences itself
                new Row("pg-2", LeaseState.HOLDING, 9.5, null, 9.6, null),             // read before its promotion intent: judged by the actuator
                new Row("pg-2", LeaseState.HOLDING, 9.7, null, 9.6, "pg-2"));          // a renewal after the intent
    }

    @ParameterizedTest
    @MethodSource("table")
    void aNodeIsReplacedOnlyByALiveHolder(Row row) {
        AgentLease lease = AgentLease.newBuilder().setCluster("orders").setNode(row.holder()).setAgentId("a").setState(row.state()).setSequence(1)
                .setTtlMillis(3_000).setRenewedAt(Instant.EPOCH).setDetails(Map.of()).build();
        Optional<String> replaced = Replacement.replacedBy("pg-1", Optional.of(new Replacement.Seen(lease, (long) (row.readAt() * S))), 10 * S,
                Optional.ofNullable(row.holdingSince()).map(at -> (long) (at * S)), Optional.ofNullable(row.intentAt()).map(at -> (long) (at * S)),
                LeaseExpiry.DEFAULT);
        assertThat(replaced.orElse(null)).isEqualTo(row.replacedBy());
    }
}
