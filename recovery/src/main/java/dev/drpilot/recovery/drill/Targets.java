package dev.drpilot.recovery.drill;

import dev.drpilot.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The measured RTO and RPO beside the component's targets: a drill that took longer or lost more than the plan allows fails. */
final class Targets {
    private Targets() {
    }

    static DrillRun.Result<Void> judge(Optional<Duration> rto, Optional<Duration> rtoTarget, Optional<Duration> rpo,
                                       Optional<Duration> rpoTarget) throws DrillStepException {
        List<String> met = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        compare("RTO", rto, rtoTarget, met, missed);
        compare("RPO", rpo, rpoTarget, met, missed);
        if (!missed.isEmpty()) {
            throw DrillStepException.failed(String.join("; ", missed) + (met.isEmpty() ? "" : "; " + String.join("; ", met)),
                    "the plan's targets are not met: find the slow or lossy step above, or change the component's rto/rpo if the plan changed");
        }
        return new DrillRun.Result<>(null, met.isEmpty() ? "no target to compare with" : String.join("; ", met));
    }

    private static void compare(String what, Optional<Duration> measured, Optional<Duration> target, List<String> met, List<String> missed) {
        if (measured.isEmpty() || target.isEmpty()) {
            return;
        }
        String text = what + " " + DrillReportFormat.seconds(measured.get()) + " (target " + Durations.format(target.get()) + ")";
        (measured.get().compareTo(target.get()) > 0 ? missed : met).add(text);
    }
}
