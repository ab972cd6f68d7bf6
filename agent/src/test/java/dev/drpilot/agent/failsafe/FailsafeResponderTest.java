package dev.drpilot.agent.failsafe;

import dev.drpilot.agent.PromotionPromise;
import dev.drpilot.config.Secret;
import dev.drpilot.events.LeaseState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A replica agent's answers (pg-2 of orders, streaming from pg-1 at db1.internal:5432) and its token check. */
class FailsafeResponderTest {
    private static final FailsafePeers PEERS = new FailsafePeers("orders", "pg-2", Secret.of("test", "s3cret-token"), List.of(
            new FailsafePeers.Peer("pg-1", "db1.internal", 5432, 8084), new FailsafePeers.Peer("pg-3", "db3.internal", 5432, 8084)));
    private final PromotionPromise promise = new PromotionPromise();
    private final FailsafeResponder responder = new FailsafeResponder(PEERS, () -> WalReceiver.of("streaming", "db1.internal", 5432, 40L),
            () -> Optional.of(new LeaseSeen("pg-1", LeaseState.HOLDING)), promise, Duration.ofMillis(500));

    @Test
    void confirmsThePrimaryItStreamsFrom() throws Exception {
        assertThat(responder.answer(new Question("orders", "pg-1", "agent-pg-1-x"))).isEqualTo(
                Confirmation.confirm("streaming from pg-1 (db1.internal:5432), last message 40 ms ago"));
    }

    @Test
    void refusesAnotherConfiguredNodeItDoesNotStreamFrom() throws Exception {
        assertThat(responder.answer(new Question("orders", "pg-3", "agent-pg-3-x")).confirmed()).isFalse();
    }

    @Test
    void refusesAnAskerOutsideItsClusterOrConfiguration() throws Exception {
        assertThat(responder.answer(new Question("payments", "pg-1", "a")).reason()).contains("of cluster orders, not payments");
        assertThat(responder.answer(new Question("orders", "pg-9", "a")).reason()).contains("no other node \"pg-9\"");
        assertThat(responder.answer(new Question("orders", "pg-2", "a")).reason()).contains("no other node \"pg-2\"");
    }

    @Test
    void oncePromisedAPromotionItConfirmsNothingUntilThePromiseIsReleased() throws Exception {
        promise.acknowledge("intent-42");
        Confirmation refused = responder.answer(new Question("orders", "pg-1", "agent-pg-1-x"));
        assertThat(refused.confirmed()).isFalse();
        assertThat(refused.reason()).contains("promised the failover actuator a promotion (intent-42)");
        promise.release();
        assertThat(responder.answer(new Question("orders", "pg-1", "agent-pg-1-x")).confirmed()).isTrue();
    }

    @Test
    void onlyTheClustersTokenAsABearerTokenIsAuthorized() {
        assertThat(responder.authorized("Bearer s3cret-token")).isTrue();
        assertThat(responder.authorized("Bearer s3cret-tokeN")).isFalse();
        assertThat(responder.authorized("s3cret-token")).isFalse();
        assertThat(responder.authorized("Bearer ")).isFalse();
        assertThat(responder.authorized(null)).isFalse();
    }
}
