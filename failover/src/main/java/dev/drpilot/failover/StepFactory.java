package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.Runbook;
import dev.drpilot.config.StepRegistry;
import dev.drpilot.config.StepSpec;
import dev.drpilot.failover.agent.AgentChannel;
import dev.drpilot.failover.agent.NodeAgents;
import dev.drpilot.failover.steps.AgentFenceStep;
import dev.drpilot.failover.steps.CloudSteps;
import dev.drpilot.failover.steps.CommandFenceStep;
import dev.drpilot.failover.steps.NotifyStep;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.failover.steps.PostgresCheckStep;
import dev.drpilot.failover.steps.PostgresDemotion;
import dev.drpilot.failover.steps.PostgresFenceStep;
import dev.drpilot.failover.steps.PostgresPromoteStep;
import dev.drpilot.failover.steps.ReplicasFollowStep;
import dev.drpilot.failover.steps.VerifyStep;
import software.amazon.awssdk.regions.Region;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Builds a runbook step from its configured {@link StepSpec}: one line per spec. Steps that talk to
 * Kubernetes, Route 53 or RDS take their clients from {@link CloudClients} when the step is built,
 * so a process whose runbooks never name them never makes one. Not final: a test wraps steps to
 * stop the actuator at a chosen point of a runbook.
 */
public class StepFactory {
    private final Map<Class<? extends StepSpec>, Line<?>> lines = new HashMap<>();
    private final Optional<CloudClients> cloud;
    private final PostgresAdmin admin;
    private final Optional<NodeAgents> agents;

    /** Without access to node agents: a node with an agent is then judged as if its lease could not be read; no rejoin requests. */
    public StepFactory(PostgresAdmin admin, Clock clock, Optional<CloudClients> cloud) {
        this(admin, clock, cloud, Optional.empty());
    }

    /**
     * @param agents the actuator's channel to node agents and their leases (fence agent, fence stop's first question, the
     *               promotion's intent and lease wait)
     * @throws IllegalStateException when a step {@link StepRegistry} lists has no line here
     */
    public StepFactory(PostgresAdmin admin, Clock clock, Optional<CloudClients> cloud, Optional<NodeAgents> agents) {
        this.cloud = cloud;
        this.admin = admin;
        this.agents = agents;
        on(StepSpec.Check.class, (spec, cluster) -> new PostgresCheckStep(admin, cluster.failover()));
        PostgresDemotion demotion = new PostgresDemotion(admin, clock);
        on(StepSpec.FenceStop.class, (spec, cluster) -> new PostgresFenceStep(admin, demotion, agents));
        on(StepSpec.FenceAgent.class, (spec, cluster) -> new AgentFenceStep(agents, spec.replyTimeout()));
        on(StepSpec.FenceCommand.class, (spec, cluster) -> new CommandFenceStep(spec.command()));
        on(StepSpec.FenceKubernetes.class, (spec, cluster) -> CloudSteps.fence(spec, cloud(spec).kubernetes()));
        on(StepSpec.PromotePostgres.class, (spec, cluster) -> new FencedPromotion(new PostgresPromoteStep(admin, clock), agents));
        on(StepSpec.PromoteRds.class, (spec, cluster) ->
                new FencedPromotion(CloudSteps.promote(spec, cloud(spec).rds(Region.of(spec.region()), spec.endpoint())), agents));
        on(StepSpec.RepointReplicas.class, (spec, cluster) -> new ReplicasFollowStep(admin));
        on(StepSpec.RepointKubernetes.class, (spec, cluster) -> CloudSteps.repoint(spec, cloud(spec).kubernetes()));
        on(StepSpec.RepointRoute53.class, (spec, cluster) -> CloudSteps.repoint(spec, cloud(spec).route53(spec.endpoint())));
        on(StepSpec.Verify.class, (spec, cluster) -> new VerifyStep(admin, clock));
        on(StepSpec.Notify.class, (spec, cluster) -> new NotifyStep());
        List<String> missing = StepRegistry.kinds().stream().filter(kind -> !lines.containsKey(kind.spec())).map(StepRegistry.Kind::describe).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no failover step is built for " + String.join(", ", missing) + ": give each its line in StepFactory");
        }
    }

    /** The PostgreSQL connections the steps use: what a fence on sight asks a node about itself with. */
    public PostgresAdmin admin() {
        return admin;
    }

    /** How commands reach the node agents, when this actuator has a channel to them (rejoin requests). */
    public Optional<AgentChannel> agents() {
        return agents.map(NodeAgents::channel);
    }

    public FailoverStep create(Runbook.Step step, ClusterConfig cluster) {
        return lines.get(step.spec().getClass()).build(step.spec(), cluster);
    }

    private <S extends StepSpec> void on(Class<S> spec, BiFunction<S, ClusterConfig, FailoverStep> build) {
        lines.put(spec, new Line<>(spec, build));
    }

    private CloudClients cloud(StepSpec spec) {
        StepRegistry.Kind kind = StepRegistry.kindOf(spec);
        return cloud.orElseThrow(() -> new IllegalStateException("runbook step " + ConfigNames.of(kind.type()) + " method "
                + kind.method().orElse("") + " needs the Kubernetes/AWS clients, which this actuator was started without"));
    }

    private record Line<S extends StepSpec>(Class<S> spec, BiFunction<S, ClusterConfig, FailoverStep> build) {
        FailoverStep build(StepSpec configured, ClusterConfig cluster) {
            return build.apply(spec.cast(configured), cluster);
        }
    }
}
