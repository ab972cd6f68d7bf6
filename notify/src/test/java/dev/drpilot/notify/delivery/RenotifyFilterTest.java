package dev.drpilot.notify.delivery;

import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RenotifyFilterTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:01:00Z");
    private final RenotifyFilter filter = new RenotifyFilter(Duration.ofHours(4));

    @Test
    void anIdenticalFiringWithinTheIntervalIsNotSentAgainButAfterItIs() {
        Alert firing = TestAlerts.firing("orders", Severity.WARNING).build();
        assertThat(filter.shouldSend(firing, T0)).isTrue();
        filter.sent(firing, T0);
        Alert reEmitted = Alert.newBuilder(firing).setEmittedAt(T0.plusSeconds(60)).build();
        assertThat(filter.shouldSend(reEmitted, T0.plus(Duration.ofHours(3)))).isFalse();
        assertThat(filter.shouldSend(reEmitted, T0.plus(Duration.ofHours(4)))).isTrue();
    }

    @Test
    void aChangedSeverityOrStartOrAnotherFingerprintIsSent() {
        Alert firing = TestAlerts.firing("orders", Severity.WARNING).build();
        filter.sent(firing, T0);
        assertThat(filter.shouldSend(Alert.newBuilder(firing).setSeverity(Severity.CRITICAL).build(), T0.plusSeconds(1))).isTrue();
        assertThat(filter.shouldSend(Alert.newBuilder(firing).setStartsAt(T0).build(), T0.plusSeconds(1))).isTrue();
        assertThat(filter.shouldSend(TestAlerts.firing("billing", Severity.WARNING).build(), T0.plusSeconds(1))).isTrue();
    }

    @Test
    void aResolvedIsAlwaysSentAndTheNextFiringAfterItToo() {
        Alert firing = TestAlerts.firing("orders", Severity.WARNING).build();
        filter.sent(firing, T0);
        Alert resolved = TestAlerts.resolved(firing, T0.plusSeconds(5));
        assertThat(filter.shouldSend(resolved, T0.plusSeconds(10))).isTrue();
        filter.sent(resolved, T0.plusSeconds(10));
        assertThat(filter.shouldSend(resolved, T0.plusSeconds(11))).isTrue();
        assertThat(filter.shouldSend(firing, T0.plusSeconds(12))).isTrue();
    }
}
