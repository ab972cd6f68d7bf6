package dev.drpilot.recovery.drill;

import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;

import java.time.Clock;
import java.util.Optional;

/**
 * Runs one drill by name, start to end, and returns its report; never throws for a drill that did not pass (that is
 * its outcome). One drill at a time in a process: two drills of one cluster at once would measure each other.
 */
public final class DrillRunner {
    private final DrpilotConfig config;
    private final DrillAudit audit;
    private final SwitchoverDrill switchover;
    private final DryRunDrill dryRun;
    private final RestoreDrill restore;
    private final Clock clock;

    public DrillRunner(DrpilotConfig config, ActuatorLink link, OperatorChannel operators, RestoreChecks restores, Clock clock) {
        this.config = config;
        this.audit = link;
        this.switchover = new SwitchoverDrill(config, link, operators, clock);
        this.dryRun = new DryRunDrill(config, link, operators, clock);
        this.restore = new RestoreDrill(config, restores);
        this.clock = clock;
    }

    /** @throws IllegalArgumentException no drill of that name is configured */
    public synchronized DrillReport run(String name) {
        DrillSettings.Drill drill = config.drills().plan(name)
                .orElseThrow(() -> new IllegalArgumentException("no drill named \"" + name + "\" in drills.plans"));
        DrillRun run = new DrillRun(drill, audit, clock);
        try {
            run.start("drill " + drill.name() + " (" + ConfigNames.of(drill.kind()) + ") of "
                    + drill.cluster().map(cluster -> "cluster " + cluster).orElse("component " + drill.component()) + " started");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            run.step("start", () -> {
                throw DrillStepException.refused("drpilot.actions did not take the drill's start record (" + e.getMessage()
                        + "): a drill is not run unrecorded", "check that drpilot.actions is writable with the drill's Kafka credentials");
            });
            return run.finish(Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }
        return switch (drill.kind()) {
            case SWITCHOVER -> switchover.run(run);
            case FAILOVER_DRY_RUN -> dryRun.run(run);
            case RESTORE -> restore.run(run);
        };
    }
}
