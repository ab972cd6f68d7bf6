package dev.drpilot.k8s;

import dev.drpilot.schemas.topic.Topics;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The three Deployments: how each runs drpilot, is probed, limited, and kept unprivileged. */
class DeploymentsTest {
    private static final Map<String, String> COMMANDS = Map.of(
            Layout.INGEST, "ingest", Layout.DETECTOR, "detect", Layout.ACTUATOR, "act");

    @Test
    void thereIsOneDeploymentPerService() {
        assertThat(Manifests.of(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(COMMANDS.keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void runsItsDrpilotCommandWithTheMountedConfiguration(String name) {
        Deployment deployment = Manifests.one(Deployment.class, name);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        Container container = container(deployment);
        assertThat(container.getImage()).isNotBlank().doesNotEndWith(":latest").contains(":");
        assertThat(container.getArgs()).first().isEqualTo(COMMANDS.get(name));
        assertThat(String.join(" ", container.getArgs())).contains("--config " + Layout.CONFIG_PATH);

        Path configPath = Path.of(Layout.CONFIG_PATH);
        VolumeMount mount = mountAt(container, configPath.getParent().toString());
        Volume volume = volume(deployment, mount.getName());
        assertThat(volume.getConfigMap()).as("volume %s", volume.getName()).isNotNull();
        assertThat(volume.getConfigMap().getName()).isEqualTo(Layout.CONFIG_MAP);
        assertThat(configPath.getFileName().toString()).isEqualTo(Layout.CONFIG_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void hasLivenessAndReadinessProbesOnItsOwnPorts(String name) {
        Container container = container(Manifests.one(Deployment.class, name));
        assertThat(container.getLivenessProbe()).as("%s livenessProbe", name).isNotNull();
        assertThat(container.getReadinessProbe()).as("%s readinessProbe", name).isNotNull();
        Stream.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())
                .filter(probe -> probe != null)
                .forEach(probe -> {
                    assertThat(Stream.of(probe.getHttpGet(), probe.getExec(), probe.getTcpSocket(), probe.getGrpc())
                            .filter(action -> action != null).count()).as("%s: one action per probe", name).isEqualTo(1);
                    if (probe.getHttpGet() != null) {
                        assertThat(declaresPort(container, probe.getHttpGet())).as("%s probes a port it declares", name).isTrue();
                    }
                });
    }

    @Test
    void ingestIsProbedOnItsHealthAndReadinessEndpoints() {
        Container ingest = container(Manifests.one(Deployment.class, Layout.INGEST));
        assertThat(path(ingest.getLivenessProbe())).isEqualTo("/healthz");
        assertThat(path(ingest.getReadinessProbe())).isEqualTo("/readyz");
        int apiPort = EmbeddedConfig.tree().path("ingestApi").path("port").asInt(8081);
        assertThat(ingest.getPorts()).extracting(ContainerPort::getContainerPort).contains(apiPort);
    }

    @Test
    void actuatorIsProbedOnItsWorkersHealthBesideTheMetricsItServes() {
        Container actuator = container(Manifests.one(Deployment.class, Layout.ACTUATOR));
        assertThat(String.join(" ", actuator.getArgs())).contains("--metrics-listen :9464");
        assertThat(actuator.getPorts()).extracting(ContainerPort::getContainerPort).contains(9464);
        // /healthz turns 503 when a worker loop (a receiver, a metrics feed, the failover) died: the pod is restarted.
        assertThat(path(actuator.getLivenessProbe())).isEqualTo("/healthz");
        assertThat(path(actuator.getReadinessProbe())).isEqualTo("/readyz");
        assertThat(path(actuator.getStartupProbe())).isEqualTo("/readyz");
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void requestsResourcesAndLimitsMemory(String name) {
        Container container = container(Manifests.one(Deployment.class, name));
        assertThat(container.getResources()).as("%s resources", name).isNotNull();
        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertThat(requests).as("%s requests", name).containsKeys("cpu", "memory");
        assertThat(limits).as("%s limits", name).containsKeys("memory");
        assertThat(Quantity.getAmountInBytes(requests.get("memory")))
                .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("memory")));
        if (limits.containsKey("cpu")) {
            assertThat(Quantity.getAmountInBytes(requests.get("cpu"))).isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("cpu")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void runsAsNonRootOnAReadOnlyRootWithoutPrivileges(String name) {
        Deployment deployment = Manifests.one(Deployment.class, name);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = container(deployment);
        SecurityContext security = container.getSecurityContext();
        PodSecurityContext podSecurity = Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
        assertThat(security).as("%s securityContext", name).isNotNull();
        assertThat(Optional.ofNullable(security.getRunAsNonRoot()).orElse(podSecurity.getRunAsNonRoot())).as("%s runAsNonRoot", name).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", name).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", name).isFalse();
        assertThat(security.getPrivileged()).as("%s privileged", name).isNotEqualTo(Boolean.TRUE);
        assertThat(security.getCapabilities()).isNotNull();
        assertThat(security.getCapabilities().getDrop()).as("%s drops", name).contains("ALL");
        assertThat(security.getCapabilities().getAdd()).as("%s adds", name).isNullOrEmpty();
        // The JVM writes to /tmp, the root filesystem is read-only.
        assertThat(volume(deployment, mountAt(container, "/tmp").getName()).getEmptyDir()).as("%s /tmp", name).isNotNull();
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void sizesTheJvmFromTheContainerAndExitsOnOutOfMemory(String name) {
        String options = env(container(Manifests.one(Deployment.class, name)), "JAVA_TOOL_OPTIONS")
                .map(EnvVar::getValue).orElse("");
        assertThat(options).as("%s JAVA_TOOL_OPTIONS", name).contains("-XX:+ExitOnOutOfMemoryError").containsPattern("-XX:MaxRAMPercentage=\\d+")
                .contains("-XX:MaxDirectMemorySize=");
        // A drpilot JVM holds 150-250 MiB outside its heap (bench/footprint, docs/operations.md "Memory"): the heap's share
        // of the container's limit must leave at least 256 MiB of it, or the kernel kills the container under load.
        Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
        assertThat(percentage.find()).isTrue();
        Quantity limit = container(Manifests.one(Deployment.class, name)).getResources().getLimits().get("memory");
        long limitMiB = Quantity.getAmountInBytes(limit).longValue() >> 20;
        assertThat(limitMiB - limitMiB * Integer.parseInt(percentage.group(1)) / 100).as("%s: MiB of the %d MiB limit outside the heap", name, limitMiB)
                .isGreaterThanOrEqualTo(256);
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void getsEverySecretTheConfigurationRefersToFromTheSecret(String name) {
        // Every service resolves every secret reference of drpilot.yaml at start-up.
        Deployment deployment = Manifests.one(Deployment.class, name);
        Container container = container(deployment);
        for (String variable : EmbeddedConfig.envReferences()) {
            if (variable.equals(Layout.KAFKA_JAAS_ENV)) {
                continue;   // each service's own KafkaUser Secret: KafkaAccessTest
            }
            EnvVar env = env(container, variable).orElseThrow(() -> new AssertionError(name + " lacks env " + variable));
            assertThat(env.getValue()).as("%s env %s is no literal", name, variable).isNull();
            assertThat(env.getValueFrom().getSecretKeyRef()).as("%s env %s", name, variable).isNotNull();
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo(Layout.SECRET);
        }
        for (String file : EmbeddedConfig.fileReferences()) {
            Path path = Path.of(file);
            Volume volume = volume(deployment, mountAt(container, path.getParent().toString()).getName());
            assertThat(volume.getSecret()).as("%s: %s comes from a Secret", name, file).isNotNull();
            assertThat(volume.getSecret().getSecretName()).isEqualTo(Layout.SECRET);
            if (volume.getSecret().getItems() != null && !volume.getSecret().getItems().isEmpty()) {
                assertThat(volume.getSecret().getItems()).as("%s: items of the secret volume", name)
                        .anySatisfy(item -> assertThat(item.getPath()).isEqualTo(path.getFileName().toString()));
            }
        }
    }

    @Test
    void onlyTheActuatorGetsAKubernetesToken() {
        for (Deployment deployment : Manifests.of(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            if (deployment.getMetadata().getName().equals(Layout.ACTUATOR)) {
                assertThat(pod.getServiceAccountName()).isEqualTo(Layout.ACTUATOR);
            } else {
                assertThat(pod.getAutomountServiceAccountToken()).as("%s automountServiceAccountToken", deployment.getMetadata().getName()).isFalse();
            }
        }
    }

    @Test
    void detectorReplicasDoNotExceedThePartitionsOfItsInputs() {
        Deployment detector = Manifests.one(Deployment.class, Layout.DETECTOR);
        int partitions = Stream.of(Topics.REPLICATION_OBSERVATIONS, Topics.BACKUP_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS,
                Topics.COLLECTOR_HEARTBEATS).mapToInt(topic -> topic.defaultPartitions()).min().orElseThrow();
        assertThat(detector.getSpec().getReplicas()).isBetween(1, partitions);
        // The Streams state lives under java.io.tmpdir (detector.stateDir's default), which must be a writable emptyDir of the pod.
        Container container = container(detector);
        assertThat(volume(detector, mountAt(container, "/tmp").getName()).getEmptyDir()).isNotNull();
    }

    static Container container(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).as("%s containers", deployment.getMetadata().getName()).hasSize(1);
        return containers.get(0);
    }

    static VolumeMount mountAt(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing at " + path));
    }

    static Volume volume(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(deployment.getMetadata().getName() + " has no volume " + name));
    }

    static Optional<EnvVar> env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    private static String path(Probe probe) {
        assertThat(probe.getHttpGet()).isNotNull();
        return probe.getHttpGet().getPath();
    }

    private static boolean declaresPort(Container container, HTTPGetAction get) {
        return container.getPorts().stream().anyMatch(port -> get.getPort().getIntVal() != null
                ? get.getPort().getIntVal().equals(port.getContainerPort())
                : get.getPort().getStrVal().equals(port.getName()));
    }
}
