package dev.drpilot.recovery.drill;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;

import java.time.Clock;
import java.util.Optional;

/**
 * A failover in dry-run mode through the real runbook: the actuator's check step runs (it only reads) and chooses the
 * candidate, every other step is recorded with what it would have done. The report lists those steps as the actuator
 * recorded them; the drill passes when the runbook planned every step.
 */
final class DryRunDrill {
    private final DrpilotConfig config;
    private final Admission admission;
    private final ActuatorRequests actuator;
    private final Clock clock;

    DryRunDrill(DrpilotConfig config, ActuatorLink link, OperatorChannel operators, Clock clock) {
        this.config = config;
        this.admission = new Admission(config, link, operators);
        this.actuator = new ActuatorRequests(link, operators, clock);
        this.clock = clock;
    }

    DrillReport run(DrillRun run) {
        String name = run.drill().cluster().orElseThrow();
        ClusterConfig cluster = config.clusters().get(name);
        Optional<Component> component = config.component(cluster.component());
        // A dry run changes nothing, so an open incident does not hold it back; a pause does (the actuator refuses it anyway).
        run.step("admission", () -> admission.check(run, name, clock.instant(), false));
        if (!run.stopped()) {
            String incident = run.runId() + "-dry-run";
            run.step("dry-run failover of " + name, () -> {
                FailoverCommand command = actuator.dryRun(incident, name, cluster.component(),
                        "drill " + run.drill().name() + " (" + run.runId() + "): failover of " + name + " in dry-run");
                ActuatorRequests.Outcome outcome = actuator.await(command, run.drill().timeout()).orElseThrow(() -> DrillStepException.failed(
                        "the failover actuator recorded no summary of " + incident + " within " + Durations.format(run.drill().timeout()),
                        "check that drpilot act runs for " + name));
                StringBuilder plan = new StringBuilder();
                for (ActionRecord record : outcome.records()) {
                    if (record.getStatus() != ActionStatus.STARTED && !record.getName().equals("summary")) {
                        plan.append(record.getName()).append(": ").append(record.getStatus()).append(" — ").append(record.getDetail()).append("\n");
                    }
                }
                if (!outcome.succeeded() || !"true".equals(outcome.summary().getAttributes().get("dryRun"))) {
                    throw DrillStepException.failed("the runbook's dry run of " + name + " ended " + outcome.summary().getStatus() + ": "
                            + outcome.summary().getDetail() + "\n" + plan, "fix what the runbook's check names: in a real failover it would stop there");
                }
                return new DrillRun.Result<>(null, outcome.summary().getDetail() + "\n" + plan);
            });
        }
        return run.finish(component.map(Component::rto), component.flatMap(Component::rpo), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
