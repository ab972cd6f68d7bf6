package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.failover.steps.CommandFenceStep;
import dev.drpilot.failover.steps.NotifyStep;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.failover.steps.PostgresCheckStep;
import dev.drpilot.failover.steps.PostgresFenceStep;
import dev.drpilot.failover.steps.PostgresPromoteStep;
import dev.drpilot.failover.steps.ReplicasFollowStep;
import dev.drpilot.failover.steps.VerifyStep;

import java.time.Clock;
import java.util.Optional;

/**
 * Builds a runbook step from its configuration. PostgreSQL steps are built in; methods that talk
 * to Kubernetes, Route 53 or RDS come from {@link CloudStepProvider} when one is installed. Not
 * final: a test wraps steps to stop the actuator at a chosen point of a runbook.
 */
public class StepFactory {
    private final PostgresAdmin admin;
    private final Clock clock;
    private final Optional<CloudStepProvider> cloud;

    public StepFactory(PostgresAdmin admin, Clock clock, Optional<CloudStepProvider> cloud) {
        this.admin = admin;
        this.clock = clock;
        this.cloud = cloud;
    }

    public FailoverStep create(Runbook.Step step, ClusterConfig cluster) {
        String method = step.options().getOrDefault("method", "");
        return switch (step.type()) {
            case CHECK -> new PostgresCheckStep(admin, cluster.failover());
            case FENCE -> switch (method) {
                case "command" -> new CommandFenceStep(step.options().get("command"));
                case "kubernetes" -> cloud(step, cluster);
                default -> new PostgresFenceStep(admin);
            };
            case PROMOTE -> "rds".equals(method) ? cloud(step, cluster) : new PostgresPromoteStep(admin, clock);
            case REPOINT -> "replicas".equals(method) ? new ReplicasFollowStep(admin) : cloud(step, cluster);
            case VERIFY -> new VerifyStep(admin, clock);
            case NOTIFY -> new NotifyStep();
        };
    }

    private FailoverStep cloud(Runbook.Step step, ClusterConfig cluster) {
        return cloud.orElseThrow(() -> new IllegalStateException("runbook step " + step.type().name().toLowerCase() + " method "
                        + step.options().get("method") + " needs the Kubernetes/AWS clients, which this actuator was started without"))
                .create(step, cluster);
    }

    /** Steps that need clients of Kubernetes or AWS. */
    public interface CloudStepProvider {
        FailoverStep create(Runbook.Step step, ClusterConfig cluster);
    }
}
