package dev.drpilot.recovery.drill;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetsTest {
    private static final Optional<Duration> RTO = Optional.of(Duration.ofMinutes(15));
    private static final Optional<Duration> RPO = Optional.of(Duration.ofMinutes(5));

    @Test
    void measuredFiguresWithinTheTargetsPass() throws Exception {
        assertThat(Targets.judge(Optional.of(Duration.ofSeconds(3)), RTO, Optional.of(Duration.ZERO), RPO).detail())
                .isEqualTo("RTO 3.000 s (target 15m); RPO 0.000 s (target 5m)");
    }

    @Test
    void aFigureOverItsTargetFailsNamingIt() {
        assertThatThrownBy(() -> Targets.judge(Optional.of(Duration.ofMinutes(20)), RTO, Optional.of(Duration.ZERO), RPO))
                .isInstanceOf(DrillStepException.class).hasMessage("RTO 1200.000 s (target 15m); RPO 0.000 s (target 5m)");
    }

    @Test
    void withoutATargetThereIsNothingToJudge() throws Exception {
        assertThat(Targets.judge(Optional.of(Duration.ofSeconds(3)), Optional.empty(), Optional.empty(), Optional.empty()).detail())
                .isEqualTo("no target to compare with");
    }

    @Test
    void theRpoIsHowFarBeforeItsNodesLastAcknowledgedWriteTheOldestLostRowWasMade() {
        Instant t = Instant.parse("2026-12-01T03:00:00Z");
        Map<Long, ProbeWriter.Ack> acknowledged = Map.of(
                1L, new ProbeWriter.Ack("pg-1", t), 2L, new ProbeWriter.Ack("pg-1", t.plusMillis(100)),
                3L, new ProbeWriter.Ack("pg-1", t.plusMillis(250)), 4L, new ProbeWriter.Ack("pg-2", t.plusMillis(900)));
        assertThat(Rpo.of(acknowledged, Map.of())).isZero();
        assertThat(Rpo.of(acknowledged, Map.of(2L, acknowledged.get(2L), 3L, acknowledged.get(3L)))).isEqualTo(Duration.ofMillis(150));
    }
}
