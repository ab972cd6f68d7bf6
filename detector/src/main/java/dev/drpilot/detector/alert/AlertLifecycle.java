package dev.drpilot.detector.alert;

import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The life of one alert, in event time: a condition must hold for {@code hold} before the alert
 * goes FIRING, and must stay clear for {@code resolveHold} before it goes RESOLVED. While it fires,
 * the weaker {@link Evaluation#stillHolds()} keeps it firing, and a short clear spell changes
 * nothing, so a value hovering at the threshold neither flaps nor re-pages. FIRING is emitted once
 * (again only if the severity rises); RESOLVED once. Observations older than the newest one seen
 * are late: a late "OK" cannot resolve what a newer failure keeps firing.
 *
 * <p>A pure function of (state, evaluation), so every transition is unit-tested.
 */
public final class AlertLifecycle {
    private final Duration hold;
    private final Duration resolveHold;

    public AlertLifecycle(Duration hold, Duration resolveHold) {
        this.hold = hold;
        this.resolveHold = resolveHold;
    }

    /** The new state (empty: nothing pending or firing) and the transition to emit, if any. */
    public record Step(Optional<AlertState> state, Optional<Transition> emit) {
        static Step of(AlertState state) {
            return new Step(Optional.of(state), Optional.empty());
        }

        static Step of(AlertState state, Transition transition) {
            return new Step(Optional.of(state), Optional.of(transition));
        }

        static Step idle() {
            return new Step(Optional.empty(), Optional.empty());
        }
    }

    /** What to tell the world: the alert's status, when it started, when it ended, how severe. */
    public record Transition(AlertStatus status, Instant startsAt, Instant endsAt, Severity severity) {
    }

    public Step apply(Optional<AlertState> current, Evaluation now) {
        if (current.isPresent() && now.at().isBefore(current.get().lastSeen())) {
            return new Step(current, Optional.empty());
        }
        if (current.isEmpty()) {
            if (!now.holds()) {
                return Step.idle();
            }
            AlertState pending = new AlertState(AlertState.Phase.PENDING, now.at(), null, now.at(), now.severity());
            return hold.isZero() ? fire(pending, now) : Step.of(pending);
        }
        AlertState state = current.get();
        return switch (state.phase()) {
            case PENDING -> {
                if (!now.holds()) {
                    yield Step.idle();
                }
                AlertState pending = new AlertState(AlertState.Phase.PENDING, state.since(), null, now.at(), max(state.severity(), now.severity()));
                yield elapsed(state.since(), now.at()).compareTo(hold) >= 0 ? fire(pending, now) : Step.of(pending);
            }
            case FIRING -> {
                if (now.stillHolds()) {
                    boolean escalated = rank(now.severity()) > rank(state.severity());
                    AlertState firing = new AlertState(AlertState.Phase.FIRING, state.since(), null, now.at(),
                            escalated ? now.severity() : state.severity());
                    yield escalated ? Step.of(firing, new Transition(AlertStatus.FIRING, state.since(), null, now.severity())) : Step.of(firing);
                }
                AlertState resolving = new AlertState(AlertState.Phase.RESOLVING, state.since(), now.at(), now.at(), state.severity());
                yield resolveHold.isZero() ? resolve(resolving) : Step.of(resolving);
            }
            case RESOLVING -> {
                if (now.stillHolds()) {
                    yield Step.of(new AlertState(AlertState.Phase.FIRING, state.since(), null, now.at(), state.severity()));
                }
                AlertState resolving = new AlertState(AlertState.Phase.RESOLVING, state.since(), state.clearSince(), now.at(), state.severity());
                yield elapsed(state.clearSince(), now.at()).compareTo(resolveHold) >= 0 ? resolve(resolving) : Step.of(resolving);
            }
        };
    }

    private static Step fire(AlertState pending, Evaluation now) {
        AlertState firing = new AlertState(AlertState.Phase.FIRING, pending.since(), null, now.at(), pending.severity());
        return Step.of(firing, new Transition(AlertStatus.FIRING, pending.since(), null, pending.severity()));
    }

    private static Step resolve(AlertState resolving) {
        return new Step(Optional.empty(), Optional.of(
                new Transition(AlertStatus.RESOLVED, resolving.since(), resolving.clearSince(), resolving.severity())));
    }

    private static Duration elapsed(Instant from, Instant to) {
        return Duration.between(from, to);
    }

    private static Severity max(Severity a, Severity b) {
        return rank(b) > rank(a) ? b : a;
    }

    static int rank(Severity severity) {
        return switch (severity) {
            case CRITICAL -> 3;
            case WARNING -> 2;
            case INFO -> 1;
            default -> 0;
        };
    }
}
