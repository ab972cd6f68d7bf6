package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrillSettings;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one run of a drill found: the measured RTO and RPO beside the component's targets, each step with its duration,
 * pass or fail, and what to fix.
 *
 * @param rto  switchover: the order sent → the new primary took the drill's write; restore: the restore's duration
 * @param rpo  switchover: how far back the acknowledged writes the drill lost go (zero when none was lost); restore: the
 *             target time → the recovery point reached
 * @param rows switchover: the writer's acknowledged rows and how many of them the final primary lacks
 */
public record DrillReport(String runId, String drill, DrillSettings.Kind kind, String component, Optional<String> cluster,
                          Instant startedAt, Instant finishedAt, Outcome outcome, Optional<Duration> rtoTarget,
                          Optional<Duration> rpoTarget, Optional<Duration> rto, Optional<Duration> rpo, Optional<Rows> rows,
                          List<DrillStep> steps) {

    public DrillReport {
        steps = List.copyOf(steps);
    }

    public enum Outcome { PASSED, FAILED, REFUSED }

    public record Rows(long acknowledged, long lost) {
    }

    /** A refusal anywhere refuses the drill (nothing was tried that could fail); otherwise any failure fails it. */
    static Outcome outcomeOf(List<DrillStep> steps) {
        if (steps.stream().anyMatch(step -> step.status() == DrillStep.Status.REFUSED)) {
            return Outcome.REFUSED;
        }
        return steps.stream().anyMatch(step -> step.status() == DrillStep.Status.FAILED) ? Outcome.FAILED : Outcome.PASSED;
    }

    public List<String> fixes() {
        return steps.stream().flatMap(step -> step.fix().stream()).toList();
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }
}
