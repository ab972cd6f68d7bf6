package dev.drpilot.recovery.drill;

import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The component's restore check as a drill: the newest backup restored into scratch space and recovered to its target
 * ({@code backups[].restoreCheck}), its figures in the report — the restore's duration is the measured RTO, how far the
 * recovery point reached falls short of the target the measured RPO.
 */
final class RestoreDrill {
    private final DrpilotConfig config;
    private final RestoreChecks restores;

    RestoreDrill(DrpilotConfig config, RestoreChecks restores) {
        this.config = config;
        this.restores = restores;
    }

    DrillReport run(DrillRun run) {
        String name = run.drill().component();
        Optional<Component> component = config.component(name);
        AtomicReference<RestoreCheck> done = new AtomicReference<>();
        run.step("restore check of " + name, () -> {
            RestoreCheck check = restores.run(name);
            done.set(check);
            StringBuilder detail = new StringBuilder("tool " + check.getTool() + ", backup " + (check.getBackupName() == null ? "-" : check.getBackupName())
                    + ", target " + (check.getTargetTime() == null ? check.getTarget() : check.getTargetTime())
                    + ", reached " + (check.getRecoveryPointAt() == null ? "-" : check.getRecoveryPointAt())
                    + ", restore took " + DrillReportFormat.seconds(Duration.ofMillis(check.getDurationMillis())));
            for (RestoreCheckQuery query : check.getChecks()) {
                detail.append("; check ").append(query.getName()).append(query.getPassed() ? " pass" : " FAIL").append(" ").append(query.getDetail());
            }
            if (!check.getSucceeded()) {
                throw DrillStepException.failed(check.getError() == null ? detail.toString() : check.getError() + "; " + detail,
                        check.getExceededRto() ? "the restore takes longer than the RTO: a faster restore (parallelism, a closer repository) or a new RTO"
                                : "make the newest backup restorable: the error above says where it broke (drpilot restore-check " + name + " repeats it)");
            }
            return new DrillRun.Result<>(null, detail.toString());
        });
        Optional<RestoreCheck> check = Optional.ofNullable(done.get());
        Optional<Duration> rto = check.map(c -> Duration.ofMillis(c.getDurationMillis()));
        Optional<Duration> rpo = check.filter(c -> c.getTargetTime() != null && c.getRecoveryPointAt() != null)
                .map(c -> c.getRecoveryPointAt().isBefore(c.getTargetTime()) ? Duration.between(c.getRecoveryPointAt(), c.getTargetTime()) : Duration.ZERO);
        Optional<Duration> rtoTarget = component.map(Component::rto);
        Optional<Duration> rpoTarget = component.flatMap(Component::rpo);
        if (check.isPresent()) {
            run.step("targets", () -> Targets.judge(rto, rtoTarget, rpo, rpoTarget));
        }
        return run.finish(rtoTarget, rpoTarget, rto, rpo, Optional.empty());
    }
}
