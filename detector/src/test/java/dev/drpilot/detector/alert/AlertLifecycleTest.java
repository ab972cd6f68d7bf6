package dev.drpilot.detector.alert;

import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AlertLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    private final AlertLifecycle lifecycle = new AlertLifecycle(Duration.ofSeconds(30), Duration.ofSeconds(60));
    private Optional<AlertState> state = Optional.empty();
    private final List<AlertLifecycle.Transition> emitted = new ArrayList<>();

    private void observe(int second, boolean holds, boolean stillHolds, Severity severity) {
        AlertLifecycle.Step step = lifecycle.apply(state, new Evaluation(T0.plusSeconds(second), holds, stillHolds, severity));
        state = step.state();
        step.emit().ifPresent(emitted::add);
    }

    private void over(int second) {
        observe(second, true, true, Severity.WARNING);
    }

    private void under(int second) {
        observe(second, false, false, Severity.WARNING);
    }

    @Test
    void firesOnceWhenTheConditionHeldForTheHoldTime() {
        for (int s = 0; s <= 120; s += 5) {
            over(s);
        }
        assertThat(emitted).containsExactly(new AlertLifecycle.Transition(AlertStatus.FIRING, T0, null, Severity.WARNING));
    }

    @Test
    void aBlipShorterThanTheHoldTimeFiresNothing() {
        over(0);
        over(25);
        under(30);
        over(35);
        over(60);
        assertThat(emitted).isEmpty();
        assertThat(state.orElseThrow().phase()).isEqualTo(AlertState.Phase.PENDING);
        assertThat(state.orElseThrow().since()).isEqualTo(T0.plusSeconds(35));
    }

    @Test
    void resolvesOnceAfterStayingClearForTheResolveTime() {
        over(0);
        over(30);
        under(40);
        under(70);
        under(100);
        under(130);
        assertThat(emitted).extracting(AlertLifecycle.Transition::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(emitted.get(1).startsAt()).isEqualTo(T0);
        assertThat(emitted.get(1).endsAt()).isEqualTo(T0.plusSeconds(40));
        assertThat(state).isEmpty();
    }

    @Test
    void aValueHoveringAtTheThresholdDoesNotFlap() {
        over(0);
        over(30);
        for (int s = 35; s < 300; s += 10) {
            // Just under the threshold, but above the hysteresis line: the alert keeps firing.
            observe(s, false, true, Severity.WARNING);
            over(s + 5);
        }
        assertThat(emitted).hasSize(1);
    }

    @Test
    void shortClearSpellsWhileFiringResolveNothing() {
        over(0);
        over(30);
        under(40);
        over(80);
        under(90);
        over(140);
        assertThat(emitted).extracting(AlertLifecycle.Transition::status).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void aRisingSeverityIsAnnouncedOnceAndAFallingOneIsNot() {
        over(0);
        over(30);
        observe(40, true, true, Severity.CRITICAL);
        observe(50, true, true, Severity.CRITICAL);
        over(60);
        assertThat(emitted).extracting(AlertLifecycle.Transition::severity).containsExactly(Severity.WARNING, Severity.CRITICAL);
    }

    @Test
    void aLateOkDoesNotResolveWhatANewerFailureKeepsFiring() {
        over(0);
        over(30);
        over(200);
        under(100); // older than what was seen: late
        under(150);
        over(210);
        assertThat(emitted).extracting(AlertLifecycle.Transition::status).containsExactly(AlertStatus.FIRING);
        assertThat(state.orElseThrow().phase()).isEqualTo(AlertState.Phase.FIRING);
    }
}
