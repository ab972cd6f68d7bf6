package dev.drpilot.agent.failsafe;

import dev.drpilot.events.LeaseState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** When a replica's agent confirms that its server still follows the asking primary (renew interval 500 ms). */
class ConfirmationRuleTest {
    private static final FailsafePeers.Peer PRIMARY = new FailsafePeers.Peer("pg-1", "db1.internal", 5432, 8084);
    private static final Duration MAX_AGE = Duration.ofMillis(500);
    private static final WalReceiver STREAMING = WalReceiver.of("streaming", "db1.internal", 5432, 120L);

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("streaming from the asker, heard 120 ms ago", STREAMING, Optional.empty(), true, "streaming from pg-1"),
                Arguments.of("the host compared without case", WalReceiver.of("streaming", "DB1.internal", 5432, 10L), Optional.empty(), true, "10 ms ago"),
                Arguments.of("its own lease HOLDING on Kafka", STREAMING, lease("pg-1", LeaseState.HOLDING), true, "streaming"),
                Arguments.of("another node RELEASED the newest lease", STREAMING, lease("pg-2", LeaseState.RELEASED), true, "streaming"),
                Arguments.of("heard exactly the renew interval ago", WalReceiver.of("streaming", "db1.internal", 5432, 500L), Optional.empty(), false, "500 ms ago"),
                Arguments.of("heard from it 3 s ago", WalReceiver.of("streaming", "db1.internal", 5432, 3000L), Optional.empty(), false, "3000 ms ago"),
                Arguments.of("a message stamped in the future", WalReceiver.of("streaming", "db1.internal", 5432, -40L), Optional.empty(), false, "future"),
                Arguments.of("nothing received yet", WalReceiver.of("streaming", "db1.internal", 5432, null), Optional.empty(), false, "no message"),
                Arguments.of("streams from another host", WalReceiver.of("streaming", "db3.internal", 5432, 10L), Optional.empty(), false, "not from pg-1"),
                Arguments.of("streams from another port", WalReceiver.of("streaming", "db1.internal", 5433, 10L), Optional.empty(), false, "not from pg-1"),
                Arguments.of("the receiver is catching up", WalReceiver.of("catchup", "db1.internal", 5432, 10L), Optional.empty(), false, "catchup"),
                Arguments.of("the receiver is waiting", WalReceiver.of("waiting", "db1.internal", 5432, 10L), Optional.empty(), false, "waiting"),
                Arguments.of("the columns hidden from this role", WalReceiver.of(null, null, null, null), Optional.empty(), false, "pg_monitor"),
                Arguments.of("no WAL receiver (a primary, or not connected)", WalReceiver.none(), Optional.empty(), false, "no WAL receiver"),
                Arguments.of("the server did not answer", WalReceiver.unreadable("no answer within 125 ms"), Optional.empty(), false, "no answer"),
                Arguments.of("the asker's lease SELF_FENCED on Kafka", STREAMING, lease("pg-1", LeaseState.SELF_FENCED), false, "SELF_FENCED"),
                Arguments.of("the asker's lease UNGUARDED on Kafka", STREAMING, lease("pg-1", LeaseState.UNGUARDED), false, "UNGUARDED"),
                Arguments.of("another node holds the newest lease", STREAMING, lease("pg-2", LeaseState.HOLDING), false, "pg-2 holds"));
    }

    private static Optional<LeaseSeen> lease(String node, LeaseState state) {
        return Optional.of(new LeaseSeen(node, state));
    }

    @ParameterizedTest(name = "{0}: confirmed {3}")
    @MethodSource("answers")
    void confirmsOnlyAFreshStreamFromTheAskerWhoseLeaseStands(String situation, WalReceiver wal, Optional<LeaseSeen> newestLease,
                                                               boolean confirmed, String reasonMentions) {
        Confirmation answer = ConfirmationRule.decide(PRIMARY, wal, MAX_AGE, newestLease);
        assertThat(answer.confirmed()).as(situation).isEqualTo(confirmed);
        assertThat(answer.reason()).as(situation).contains(reasonMentions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void theAnswerSurvivesTheWire(String situation, WalReceiver wal, Optional<LeaseSeen> newestLease, boolean confirmed, String reason) {
        Confirmation answer = ConfirmationRule.decide(PRIMARY, wal, MAX_AGE, newestLease);
        assertThat(Confirmation.decode(answer.encode())).hasValue(answer);
    }
}
