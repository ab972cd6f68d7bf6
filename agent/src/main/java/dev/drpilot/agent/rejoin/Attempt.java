package dev.drpilot.agent.rejoin;

import dev.drpilot.agent.rejoin.RejoinReport.Check;
import dev.drpilot.agent.rejoin.RejoinReport.Divergence;
import dev.drpilot.agent.rejoin.RejoinReport.KeptAside;
import dev.drpilot.agent.rejoin.RejoinReport.Method;
import dev.drpilot.agent.rejoin.RejoinReport.Outcome;
import dev.drpilot.agent.rejoin.RejoinReport.PhaseTiming;
import dev.drpilot.agent.rejoin.RejoinReport.RejoinError;
import dev.drpilot.agent.rejoin.RejoinReport.Streaming;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What one rejoin has found and done so far; becomes its {@link RejoinReport}. */
final class Attempt {
    private final String node;
    private final String source;
    private final Clock clock;
    private final Instant startedAt;
    private final List<Check> checks = new ArrayList<>();
    private final List<PhaseTiming> phases = new ArrayList<>();
    private final List<RejoinError> errors = new ArrayList<>();
    private Method method = Method.NONE;
    private Divergence divergence;
    private DiscardedWrites discarded;
    private KeptAside keptAside;
    private Streaming streaming;

    Attempt(String node, String source, Clock clock) {
        this.node = node;
        this.source = source;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** A step that may refuse (a precondition) or fail (an action), timed as a phase of the report. */
    interface Phase<T> {
        T run() throws Stop;
    }

    /** Ends the attempt: refused (nothing was changed) or failed (something was), with what a person should do. */
    static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;
        private final Outcome outcome;

        Stop(Outcome outcome, String whatToDo) {
            super(whatToDo);
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }

    static Stop refuse(String whatToDo) {
        return new Stop(Outcome.REFUSED, whatToDo);
    }

    static Stop fail(String whatToDo) {
        return new Stop(Outcome.FAILED, whatToDo);
    }

    <T> T phase(String name, Phase<T> phase) throws Stop {
        long started = System.nanoTime();
        try {
            return phase.run();
        } finally {
            phases.add(new PhaseTiming(name, Duration.ofNanos(System.nanoTime() - started)));
        }
    }

    void check(String name, boolean passed, String detail) {
        checks.add(new Check(name, passed, detail));
    }

    void error(String phase, String message, boolean retriable) {
        errors.add(new RejoinError(phase, message, retriable));
    }

    void method(Method method) {
        this.method = method;
    }

    void divergence(Divergence divergence) {
        this.divergence = divergence;
    }

    void discarded(DiscardedWrites discarded) {
        this.discarded = discarded;
    }

    void keptAside(KeptAside keptAside) {
        this.keptAside = keptAside;
    }

    void streaming(Streaming streaming) {
        this.streaming = streaming;
    }

    RejoinReport succeeded() {
        return report(Outcome.SUCCEEDED, Optional.empty());
    }

    RejoinReport stopped(Stop stop) {
        return report(stop.outcome(), Optional.of(stop.getMessage()));
    }

    private RejoinReport report(Outcome outcome, Optional<String> whatToDo) {
        return new RejoinReport(node, source, outcome, method, checks, Optional.ofNullable(divergence), Optional.ofNullable(discarded),
                Optional.ofNullable(keptAside), phases, Optional.ofNullable(streaming), errors, whatToDo, startedAt, clock.instant());
    }
}
