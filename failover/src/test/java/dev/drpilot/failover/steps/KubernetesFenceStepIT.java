package dev.drpilot.failover.steps;

import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The fence step against fabric8's CRUD API mock. The mock has no controllers: a scaled-down
 * StatefulSet keeps the status it had, so these tests write the status a StatefulSet controller
 * would write once the pod is gone, and check that the step waits for it rather than trusting
 * the spec alone.
 */
class KubernetesFenceStepIT {
    private static final String PATH = "/apis/apps/v1/namespaces/orders/statefulsets/pg-1";
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    private KubernetesMock kubernetes;
    private final FailoverContext context = Contexts.failingOverTo("pg-2");

    @BeforeEach
    void start() throws Exception {
        kubernetes = new KubernetesMock();
        kubernetes.client.apps().statefulSets().inNamespace("orders").resource(new StatefulSetBuilder()
                .withNewMetadata().withName("pg-1").withNamespace("orders").endMetadata()
                .withNewSpec().withReplicas(1).withServiceName("pg-1").withNewSelector().addToMatchLabels("app", "pg-1").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg-1").endMetadata()
                .withNewSpec().addNewContainer().withName("postgres").withImage("postgres:15").endContainer().endSpec().endTemplate().endSpec()
                .build()).create();
        controllerReports(1, 1);
        kubernetes.takeRequests();
    }

    @AfterEach
    void stop() {
        kubernetes.close();
    }

    /** What the StatefulSet controller writes: pods, ready pods, the generation it has acted on. */
    private void controllerReports(int pods, int ready) {
        kubernetes.client.apps().statefulSets().inNamespace("orders").withName("pg-1").editStatus(set -> {
            set.setStatus(new StatefulSetStatusBuilder().withReplicas(pods).withReadyReplicas(ready).withAvailableReplicas(ready)
                    .withObservedGeneration(set.getMetadata().getGeneration()).build());
            return set;
        });
    }

    private StatefulSet statefulSet() {
        return kubernetes.client.apps().statefulSets().inNamespace("orders").withName("pg-1").get();
    }

    private KubernetesFenceStep step() {
        return KubernetesFenceStep.statefulSet(kubernetes.client, "orders", "pg-1", QUICK);
    }

    @Test
    void scalesTheOldPrimaryToZeroAndWaitsUntilItsPodIsGone() throws Exception {
        assertThat(step().plan(context)).isEqualTo("would scale statefulSet orders/pg-1 (old primary pg-1) to 0 replicas and wait until none is ready");
        assertThat(step().alreadyDone(context)).isFalse();

        CompletableFuture<StepOutcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return step().run(context, Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(10, TimeUnit.SECONDS).until(() -> statefulSet().getSpec().getReplicas() == 0);
        List<KubernetesMock.Request> patches = kubernetes.patches();
        assertThat(patches).singleElement().satisfies(patch -> {
            assertThat(patch.path()).isEqualTo(PATH);
            assertThat(patch.contentType()).startsWith("application/json-patch+json");
            assertThat(patch.body()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":0}]");
        });
        await("still waiting: the mock's status shows the pod ready").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !running.isDone());

        controllerReports(0, 0);

        StepOutcome outcome = running.get(10, TimeUnit.SECONDS);
        assertThat(outcome.attributes()).isEqualTo(Map.of("previousReplicas", "1", "generation", String.valueOf(statefulSet().getMetadata().getGeneration()),
                "fenced", "kubernetes"));
        assertThat(outcome.detail()).startsWith("scaled statefulSet orders/pg-1 from 1 replicas to 0; no pod left after ");
        assertThat(step().alreadyDone(context)).isTrue();
        assertThat(step().alreadyDoneAttributes()).as("found scaled to 0: still a hard fence for the promotion")
                .containsEntry("fenced", "kubernetes");
    }

    @Test
    void failsWhenThePodIsStillThereAtTheTimeout() {
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(1)))
                    .isInstanceOf(StepFailedException.class)
                    .hasMessage("timed out after PT1S waiting for the pods of statefulSet orders/pg-1 to stop: 1 ready, 1 pods");
            // m is what fits in the time left after the scale-down: it depends on the machine's speed.
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).matches(
                    "\\[incident=inc-7 cluster=orders step=fence method=kubernetes] waiting for the pods of statefulSet orders/pg-1 to stop: "
                            + "1 ready, 1 pods; retry 1 of \\d+ in 50 ms"));
        }
        assertThat(statefulSet().getSpec().getReplicas()).isZero();
    }

    @Test
    void scaledToZeroButNotYetSeenByTheControllerIsNotDone() throws Exception {
        kubernetes.client.apps().statefulSets().inNamespace("orders").withName("pg-1").edit(set -> {
            set.getSpec().setReplicas(0);
            return set;
        });
        // The controller has not acted on the new generation yet: its status is stale.
        assertThat(step().alreadyDone(context)).isFalse();
    }

    @Test
    void aDeploymentIsFencedTheSameWay() throws Exception {
        kubernetes.client.apps().deployments().inNamespace("orders").resource(new DeploymentBuilder()
                .withNewMetadata().withName("pg-1").withNamespace("orders").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "pg-1").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "pg-1").endMetadata()
                .withNewSpec().addNewContainer().withName("postgres").withImage("postgres:15").endContainer().endSpec().endTemplate().endSpec()
                .build()).create();
        kubernetes.takeRequests();
        CompletableFuture<StepOutcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return KubernetesFenceStep.deployment(kubernetes.client, "orders", "pg-1", QUICK).run(context, Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(10, TimeUnit.SECONDS).until(() -> kubernetes.client.apps().deployments().inNamespace("orders").withName("pg-1").get()
                .getSpec().getReplicas() == 0);
        assertThat(kubernetes.patches()).extracting(KubernetesMock.Request::path).containsExactly("/apis/apps/v1/namespaces/orders/deployments/pg-1");
        // A Deployment without any status has not been seen by its controller: the step waits for it.
        await("still waiting for the controller").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !running.isDone());
        kubernetes.client.apps().deployments().inNamespace("orders").withName("pg-1").editStatus(deployment -> {
            deployment.setStatus(new DeploymentStatusBuilder().withObservedGeneration(deployment.getMetadata().getGeneration()).build());
            return deployment;
        });

        StepOutcome outcome = running.get(10, TimeUnit.SECONDS);

        assertThat(kubernetes.client.apps().deployments().inNamespace("orders").withName("pg-1").get().getSpec().getReplicas()).isZero();
        assertThat(outcome.attributes()).containsEntry("previousReplicas", "1");
    }

    @Test
    void aMissingStatefulSetIsNamed() {
        assertThatThrownBy(() -> KubernetesFenceStep.statefulSet(kubernetes.client, "orders", "pg-9", QUICK).run(context, Duration.ofSeconds(1)))
                .isInstanceOf(StepFailedException.class).hasMessage("statefulSet orders/pg-9 not found");
    }
}
