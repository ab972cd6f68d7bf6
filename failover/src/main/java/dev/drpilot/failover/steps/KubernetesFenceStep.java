package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Fences the old primary by scaling its StatefulSet (or Deployment) to 0 replicas, then waits
 * until the controller reports that no pod of it is left and none is ready: only then can no
 * client write to the old primary any more.
 *
 * <p>The workload must run the old primary alone (one StatefulSet per PostgreSQL node, as the
 * usual operators and charts do): scaling a shared StatefulSet would stop the candidate too.
 */
public final class KubernetesFenceStep implements FailoverStep {
    private static final Logger log = LoggerFactory.getLogger(KubernetesFenceStep.class);
    private static final String SCALE_TO_ZERO = "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":0}]";

    private final KubernetesClient kubernetes;
    private final String namespace;
    private final Workload workload;
    private final Backoff backoff;

    private KubernetesFenceStep(KubernetesClient kubernetes, String namespace, Workload workload, Backoff backoff) {
        this.kubernetes = kubernetes;
        this.namespace = namespace;
        this.workload = workload;
        this.backoff = backoff;
    }

    public static KubernetesFenceStep statefulSet(KubernetesClient kubernetes, String namespace, String name) {
        return statefulSet(kubernetes, namespace, name, Backoff.DEFAULT);
    }

    public static KubernetesFenceStep deployment(KubernetesClient kubernetes, String namespace, String name) {
        return deployment(kubernetes, namespace, name, Backoff.DEFAULT);
    }

    static KubernetesFenceStep statefulSet(KubernetesClient kubernetes, String namespace, String name, Backoff backoff) {
        return new KubernetesFenceStep(kubernetes, namespace, new Workload("statefulSet", name,
                client -> client.apps().statefulSets().inNamespace(namespace).withName(name), KubernetesFenceStep::stateOf), backoff);
    }

    static KubernetesFenceStep deployment(KubernetesClient kubernetes, String namespace, String name, Backoff backoff) {
        return new KubernetesFenceStep(kubernetes, namespace, new Workload("deployment", name,
                client -> client.apps().deployments().inNamespace(namespace).withName(name), KubernetesFenceStep::stateOf), backoff);
    }

    @Override
    public String describe() {
        return "fence kubernetes";
    }

    @Override
    public String plan(FailoverContext context) {
        String primary = context.failedPrimary().map(NodeConfig::name).map(name -> " (old primary " + name + ")").orElse("");
        return "would scale " + workload.kind() + " " + namespace + "/" + workload.name() + primary + " to 0 replicas and wait until none is ready";
    }

    /** Scaled to 0 and the controller reports no pod left: a resumed runbook need not wait again. */
    @Override
    public boolean alreadyDone(FailoverContext context) throws StepFailedException {
        State state = read();
        return Objects.equals(state.specReplicas(), 0) && state.settled();
    }

    @Override
    public Map<String, String> alreadyDoneAttributes() {
        return Map.of("fenced", FenceEvidence.KUBERNETES.attribute());
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws StepFailedException, InterruptedException {
        String prefix = LogPrefix.of(context, "fence", "kubernetes");
        Deadline deadline = Deadline.after(timeout);
        State before = read();
        log.info("{} scaling {} {}/{} from {} replicas to 0", prefix, workload.kind(), namespace, workload.name(), before.specReplicas());
        State scaled;
        try {
            scaled = workload.state().apply(workload.resource().apply(kubernetes).patch(PatchContext.of(PatchType.JSON), SCALE_TO_ZERO));
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.failed("scale of " + workload.kind() + " " + namespace + "/" + workload.name() + " to 0", e);
        }
        Poller.Polled<State> done = new Poller(backoff, deadline, prefix).until(
                "the pods of " + workload.kind() + " " + namespace + "/" + workload.name() + " to stop", () -> {
                    State state = read();
                    String seen = State.count(state.readyReplicas()) + " ready, " + State.count(state.statusReplicas()) + " pods";
                    return state.settledAfter(scaled.generation()) ? Poller.Look.done(state, seen) : Poller.Look.notYet(seen);
                });
        log.info("{} {} {}/{} has no pod left", prefix, workload.kind(), namespace, workload.name());
        return new StepOutcome("scaled " + workload.kind() + " " + namespace + "/" + workload.name() + " from " + before.specReplicas()
                + " replicas to 0; no pod left after " + done.looks() + " looks",
                Map.of("previousReplicas", String.valueOf(before.specReplicas()),
                        "generation", String.valueOf(scaled.generation()), "fenced", FenceEvidence.KUBERNETES.attribute()));
    }

    private State read() throws StepFailedException {
        HasMetadata found;
        try {
            found = workload.resource().apply(kubernetes).get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.failed("read of " + workload.kind() + " " + namespace + "/" + workload.name(), e);
        }
        if (found == null) {
            throw new StepFailedException(workload.kind() + " " + namespace + "/" + workload.name() + " not found");
        }
        return workload.state().apply(found);
    }

    private static State stateOf(HasMetadata resource) {
        if (resource instanceof StatefulSet set) {
            var status = set.getStatus();
            return new State(set.getSpec().getReplicas(), status == null ? null : status.getReadyReplicas(),
                    status == null ? null : status.getReplicas(), set.getMetadata().getGeneration(), status == null ? null : status.getObservedGeneration());
        }
        Deployment deployment = (Deployment) resource;
        var status = deployment.getStatus();
        return new State(deployment.getSpec().getReplicas(), status == null ? null : status.getReadyReplicas(),
                status == null ? null : status.getReplicas(), deployment.getMetadata().getGeneration(), status == null ? null : status.getObservedGeneration());
    }

    private record Workload(String kind, String name, Function<KubernetesClient, Resource<? extends HasMetadata>> resource,
                            Function<HasMetadata, State> state) {
    }

    /** The workload as its controller last reported it (Kubernetes omits zero counts: null is 0). */
    private record State(Integer specReplicas, Integer readyReplicas, Integer statusReplicas, Long generation, Long observedGeneration) {
        boolean settled() {
            return settledAfter(generation);
        }

        /**
         * No pod ready or left, as seen by a controller that has read the spec of {@code generation}
         * or later: a status older than the scale-down could show a crashed primary as "0 ready"
         * just before it restarts.
         */
        boolean settledAfter(Long scaledGeneration) {
            boolean observed = scaledGeneration == null || observedGeneration != null && observedGeneration >= scaledGeneration;
            return observed && count(readyReplicas) == 0 && count(statusReplicas) == 0;
        }

        static int count(Integer reported) {
            return reported == null ? 0 : reported;
        }
    }
}
