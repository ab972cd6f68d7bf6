package dev.drpilot.failover.steps;

import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubernetesRepointStepIT {
    private static final String DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/orders/deployments/orders-app";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KubernetesMock kubernetes;

    @BeforeEach
    void start() throws Exception {
        kubernetes = new KubernetesMock();
    }

    @AfterEach
    void stop() {
        kubernetes.close();
    }

    private void createDeployment(Container... containers) {
        kubernetes.client.apps().deployments().inNamespace("orders").resource(new DeploymentBuilder()
                .withNewMetadata().withName("orders-app").withNamespace("orders").endMetadata()
                .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "orders").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "orders").endMetadata()
                .withNewSpec().withContainers(containers).endSpec().endTemplate().endSpec()
                .build()).create();
        kubernetes.takeRequests();
    }

    private static Container container(String name, EnvVar... env) {
        return new ContainerBuilder().withName(name).withImage("example/" + name + ":1").withEnv(env).build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    private Deployment deployment() {
        return kubernetes.client.apps().deployments().inNamespace("orders").withName("orders-app").get();
    }

    private KubernetesRepointStep envStep() {
        return KubernetesRepointStep.deploymentEnv(kubernetes.client, "orders", "orders-app", "DB_PRIMARY");
    }

    @Test
    void setsTheEnvVarOfTheDeploymentToTheCandidateWithOneGuardedJsonPatch() throws Exception {
        createDeployment(container("app", env("LOG_LEVEL", "info"), env("DB_PRIMARY", "pg-1")), container("metrics"));
        FailoverContext context = Contexts.failingOverTo("pg-2");
        KubernetesRepointStep step = envStep();

        assertThat(step.plan(context)).isEqualTo("would set DB_PRIMARY of deployment orders/orders-app from pg-1 to pg-2");
        assertThat(step.alreadyDone(context)).isFalse();
        long generationBefore = deployment().getMetadata().getGeneration();
        kubernetes.takeRequests();

        StepOutcome outcome = step.run(context, TIMEOUT);

        List<KubernetesMock.Request> requests = kubernetes.takeRequests();
        assertThat(requests).extracting(request -> request.method() + " " + request.path())
                // The step reads once; fabric8's patch() reads the resource again before it patches.
                .isEqualTo(List.of("GET " + DEPLOYMENT_PATH, "GET " + DEPLOYMENT_PATH, "PATCH " + DEPLOYMENT_PATH));
        KubernetesMock.Request patch = requests.get(2);
        assertThat(patch.contentType()).startsWith("application/json-patch+json");
        assertThat(patch.body()).isEqualTo("[{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/env/1/value\",\"value\":\"pg-1\"},"
                + "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/env/1/value\",\"value\":\"pg-2\"}]");

        Deployment after = deployment();
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .containsExactly(env("LOG_LEVEL", "info"), env("DB_PRIMARY", "pg-2"));
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(1).getEnv()).isEmpty();
        assertThat(after.getMetadata().getGeneration()).isGreaterThan(generationBefore);
        assertThat(outcome.attributes()).isEqualTo(Map.of("previousValue", "pg-1", "newValue", "pg-2",
                "generation", after.getMetadata().getGeneration().toString()));
        assertThat(outcome.detail()).isEqualTo("set DB_PRIMARY of deployment orders/orders-app from pg-1 to pg-2");

        assertThat(step.alreadyDone(context)).isTrue();
        StepOutcome again = step.run(context, TIMEOUT);
        assertThat(again.attributes()).containsEntry("previousValue", "pg-2").containsEntry("generation", after.getMetadata().getGeneration().toString());
        assertThat(deployment().getSpec()).isEqualTo(after.getSpec());
    }

    @Test
    void setsEveryContainerThatHasTheVarAndKeepsTheHostPortFormat() throws Exception {
        createDeployment(container("app", env("DB_PRIMARY", "pg-1:5432")), container("migrations", env("DB_PRIMARY", "pg-1:5432")), container("metrics"));
        FailoverContext context = Contexts.failingOverTo(Contexts.node("pg-2", "pg-2", 6432, Optional.empty()));
        assertThat(envStep().plan(context)).isEqualTo("would set DB_PRIMARY of deployment orders/orders-app from pg-1:5432 to pg-2:6432");

        envStep().run(context, TIMEOUT);

        List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers.get(0).getEnv()).containsExactly(env("DB_PRIMARY", "pg-2:6432"));
        assertThat(containers.get(1).getEnv()).containsExactly(env("DB_PRIMARY", "pg-2:6432"));
        assertThat(containers.get(2).getEnv()).isEmpty();
        assertThat(envStep().alreadyDone(context)).isTrue();
    }

    @Test
    void addsTheVarToTheFirstContainerWhenNoneHasIt() throws Exception {
        createDeployment(container("app", env("LOG_LEVEL", "info")), container("metrics"));
        FailoverContext context = Contexts.failingOverTo("pg-2");

        StepOutcome outcome = envStep().run(context, TIMEOUT);

        assertThat(kubernetes.patches()).singleElement().extracting(KubernetesMock.Request::body)
                .isEqualTo("[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/env/-\",\"value\":{\"name\":\"DB_PRIMARY\",\"value\":\"pg-2\"}}]");
        assertThat(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .containsExactly(env("LOG_LEVEL", "info"), env("DB_PRIMARY", "pg-2"));
        assertThat(outcome.attributes()).containsEntry("previousValue", "");
    }

    @Test
    void setsTheKeyOfAConfigMap() throws Exception {
        kubernetes.client.configMaps().inNamespace("orders").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("orders-db").withNamespace("orders").endMetadata()
                .addToData("host", "pg-1").addToData("database", "orders").build()).create();
        kubernetes.takeRequests();
        FailoverContext context = Contexts.failingOverTo("pg-2");
        KubernetesRepointStep step = KubernetesRepointStep.configMapKey(kubernetes.client, "orders", "orders-db", "host");
        assertThat(step.plan(context)).isEqualTo("would set host of configMap orders/orders-db from pg-1 to pg-2");
        assertThat(step.alreadyDone(context)).isFalse();
        kubernetes.takeRequests();

        StepOutcome outcome = step.run(context, TIMEOUT);

        KubernetesMock.Request patch = kubernetes.patches().get(0);
        assertThat(patch.path()).isEqualTo("/api/v1/namespaces/orders/configmaps/orders-db");
        assertThat(patch.body()).isEqualTo("[{\"op\":\"test\",\"path\":\"/data/host\",\"value\":\"pg-1\"},"
                + "{\"op\":\"replace\",\"path\":\"/data/host\",\"value\":\"pg-2\"}]");
        assertThat(kubernetes.client.configMaps().inNamespace("orders").withName("orders-db").get().getData())
                .isEqualTo(Map.of("host", "pg-2", "database", "orders"));
        assertThat(outcome.attributes()).containsEntry("previousValue", "pg-1").containsEntry("newValue", "pg-2");
        assertThat(step.alreadyDone(context)).isTrue();
    }

    @Test
    void aMissingDeploymentIsNamed() {
        FailoverContext context = Contexts.failingOverTo("pg-2");

        assertThatThrownBy(() -> envStep().run(context, TIMEOUT))
                .isInstanceOf(StepFailedException.class).hasMessage("deployment orders/orders-app not found");
        assertThatThrownBy(() -> envStep().alreadyDone(context))
                .isInstanceOf(StepFailedException.class).hasMessage("deployment orders/orders-app not found");
        assertThat(envStep().plan(context)).isEqualTo("would set DB_PRIMARY of deployment orders/orders-app (unreadable: deployment orders/orders-app not found)");
    }

    @Test
    void aRefusalByTheApiCarriesItsCodeAndMessage() throws Exception {
        createDeployment(container("app", env("DB_PRIMARY", "pg-1")));
        String refusal = "deployments.apps \"orders-app\" is forbidden: User \"system:serviceaccount:ops:drpilot\" cannot patch resource \"deployments\"";
        kubernetes.server.expect().patch().withPath(DEPLOYMENT_PATH)
                .andReturn(403, new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden").withMessage(refusal).build()).once();

        assertThatThrownBy(() -> envStep().run(Contexts.failingOverTo("pg-2"), TIMEOUT))
                .isInstanceOf(StepFailedException.class)
                .hasMessageStartingWith("patch of deployment orders/orders-app failed: HTTP 403: " + refusal)
                .hasMessageContaining("RBAC");
        assertThat(deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).containsExactly(env("DB_PRIMARY", "pg-1"));
    }

    @Test
    void aVarSetFromASecretOrConfigMapIsNotOverwritten() throws Exception {
        createDeployment(container("app", new EnvVar("DB_PRIMARY", null, new io.fabric8.kubernetes.api.model.EnvVarSourceBuilder()
                .withNewConfigMapKeyRef().withName("orders-db").withKey("host").endConfigMapKeyRef().build())));

        assertThatThrownBy(() -> envStep().run(Contexts.failingOverTo("pg-2"), TIMEOUT))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("is set with valueFrom: repoint its ConfigMap");
        assertThat(kubernetes.patches()).isEmpty();
    }

    @Test
    void aValueOfAnotherShapeIsNotRewritten() throws Exception {
        createDeployment(container("app", env("DB_PRIMARY", "postgres://pg-1:5432/orders")));

        assertThatThrownBy(() -> envStep().run(Contexts.failingOverTo("pg-2"), TIMEOUT))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("neither a host nor host:port");
        assertThat(kubernetes.patches()).isEmpty();
    }
}
