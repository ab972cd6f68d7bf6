package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigException;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * deploy/k8s-agent/: PostgreSQL as a StatefulSet with the node agent as a sidecar. Checked against what the agent needs
 * to work there (docs/agent.md, "Kubernetes"), and its drpilot.yaml against drpilot's own configuration loader.
 */
class AgentSidecarTest {
    private static final Path DIR = Manifests.DIR.resolveSibling("deploy").resolve("k8s-agent");
    private static final List<Manifests.Doc> DOCS = Manifests.load(DIR);
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final String APP_NAMESPACE = Layout.APP_NAMESPACE;

    @Test
    void everyDocumentIsAKnownKindInTheApplicationsNamespaceWithoutUnknownFields() {
        assertThat(DOCS).extracting(Manifests.Doc::kind)
                .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "StatefulSet", "NetworkPolicy");
        List<String> problems = new ArrayList<>();
        for (Manifests.Doc doc : DOCS) {
            if (!APP_NAMESPACE.equals(doc.resource().getMetadata().getNamespace())) {
                problems.add(doc.where() + ": namespace " + doc.resource().getMetadata().getNamespace());
            }
            UnknownFields.in(doc.resource()).forEach(field -> problems.add(doc.where() + ": unknown field " + field));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theKustomizationListsEveryManifest() {
        JsonNode kustomization = Manifests.readTree(DIR.resolve(Manifests.KUSTOMIZATION));
        Set<String> listed = new TreeSet<>();
        StreamSupport.stream(kustomization.path("resources").spliterator(), false).map(JsonNode::asText).forEach(listed::add);
        Set<String> files = new TreeSet<>();
        Manifests.files(DIR).forEach(file -> files.add(DIR.relativize(file).toString()));
        assertThat(listed).isEqualTo(files);
    }

    @Test
    void theAgentSharesTheServersProcessesUserAndDataDirectory() {
        PodSpec pod = statefulSet().getSpec().getTemplate().getSpec();
        assertThat(pod.getShareProcessNamespace()).as("shareProcessNamespace: the agent sees and signals the postmaster").isTrue();
        Container postgres = container("postgres");
        Container agent = container("drpilot-agent");
        assertThat(uid(pod, postgres)).as("both containers run as the server's OS user").isEqualTo(uid(pod, agent)).isNotNull();
        assertThat(mountPath(agent, "data")).as("the data volume at the same path in both").isEqualTo(mountPath(postgres, "data"));
        assertThat(agent.getArgs()).containsExactly("agent", "--config", "/etc/drpilot/drpilot.yaml", "--cluster", "orders", "--node", "$(POD_NAME)");
        assertThat(env(agent, "POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(pod.getAutomountServiceAccountToken()).as("the agent needs no Kubernetes API").isFalse();
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(postgres.getLivenessProbe()).as("no liveness probe restarts PostgreSQL behind drpilot's back").isNull();
    }

    @Test
    void theConfigurationNamesThePodsAsNodesWithAgentsOnTheirDataDirectories() {
        StatefulSet set = statefulSet();
        ClusterConfig cluster = config().clusters().get("orders");
        Service service = Manifests.load(DIR).stream().map(Manifests.Doc::resource).filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals(set.getSpec().getServiceName())).findFirst().orElseThrow();
        assertThat(service.getSpec().getClusterIP()).as("headless: one DNS name per pod").isEqualTo("None");
        List<String> pods = IntStream.range(0, set.getSpec().getReplicas()).mapToObj(i -> set.getMetadata().getName() + "-" + i).toList();
        assertThat(cluster.nodes()).extracting(NodeConfig::name).containsExactlyElementsOf(pods);
        String pgdata = env(container("postgres"), "PGDATA").getValue();
        int agentPort = container("drpilot-agent").getPorts().get(0).getContainerPort();
        for (NodeConfig node : cluster.nodes()) {
            assertThat(node.host()).isEqualTo(node.name() + "." + set.getSpec().getServiceName() + "." + APP_NAMESPACE + ".svc");
            AgentSettings agent = node.agent().orElseThrow(() -> new AssertionError(node.name() + " has no agent section"));
            assertThat(agent.dataDir()).hasToString(pgdata);
            assertThat(agent.listenPort()).isEqualTo(agentPort);
            // The kubelet restarts the server's container; the fence must leave starting it to the kubelet.
            assertThat(agent.fence()).isEqualTo(AgentSettings.FenceMethod.STOP);
        }
    }

    @Test
    void theAgentGetsEveryVariableItsConfigurationRefersTo() {
        Set<String> referenced = new TreeSet<>();
        Matcher matcher = ENV.matcher(configText());
        while (matcher.find()) {
            referenced.add(matcher.group(1));
        }
        Set<String> given = new TreeSet<>();
        container("drpilot-agent").getEnv().forEach(variable -> given.add(variable.getName()));
        assertThat(given).containsAll(referenced);
    }

    @Test
    void agentsReachEachOtherAndKafkaAndTheBrokersAdmitThem() {
        NetworkPolicy policy = Manifests.load(DIR).stream().map(Manifests.Doc::resource).filter(NetworkPolicy.class::isInstance)
                .map(NetworkPolicy.class::cast).findFirst().orElseThrow();
        Map<String, String> podLabels = statefulSet().getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels.entrySet()).containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet());
        boolean agentsAdmitted = false;
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            boolean agentPort = rule.getPorts().stream().anyMatch(port -> port.getPort().getIntVal() == 8084);
            boolean fromPods = rule.getFrom().stream().map(NetworkPolicyPeer::getPodSelector)
                    .anyMatch(selector -> selector != null && podLabels.entrySet().containsAll(selector.getMatchLabels().entrySet()));
            agentsAdmitted |= agentPort && fromPods;
        }
        assertThat(agentsAdmitted).as("failsafe questions between agents (8084)").isTrue();
        assertThat(policy.getSpec().getEgress()).anySatisfy(rule ->
                assertThat(rule.getPorts()).anySatisfy(port -> assertThat(port.getPort().getIntVal()).isEqualTo(9093)));

        JsonNode kafka = Manifests.docs("Kafka").get(0).tree();
        boolean brokersAdmit = false;
        for (JsonNode peer : kafka.path("spec").path("kafka").path("listeners").get(0).path("networkPolicyPeers")) {
            Map<String, String> wanted = new HashMap<>();
            peer.path("podSelector").path("matchLabels").properties().forEach(e -> wanted.put(e.getKey(), e.getValue().asText()));
            String namespace = peer.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText();
            brokersAdmit |= namespace.equals(APP_NAMESPACE) && !wanted.isEmpty() && podLabels.entrySet().containsAll(wanted.entrySet());
        }
        assertThat(brokersAdmit).as("kafka.yaml's listener admits the database pods of %s", APP_NAMESPACE).isTrue();
    }

    @Test
    void theDatabasePodsAccountHasNoToken() {
        ServiceAccount account = Manifests.load(DIR).stream().map(Manifests.Doc::resource).filter(ServiceAccount.class::isInstance)
                .map(ServiceAccount.class::cast).findFirst().orElseThrow();
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        assertThat(statefulSet().getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    }

    private static StatefulSet statefulSet() {
        return DOCS.stream().map(Manifests.Doc::resource).filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
                .findFirst().orElseThrow();
    }

    private static Container container(String name) {
        return statefulSet().getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no container " + name));
    }

    private static Long uid(PodSpec pod, Container container) {
        if (container.getSecurityContext() != null && container.getSecurityContext().getRunAsUser() != null) {
            return container.getSecurityContext().getRunAsUser();
        }
        return pod.getSecurityContext() == null ? null : pod.getSecurityContext().getRunAsUser();
    }

    private static String mountPath(Container container, String volume) {
        return container.getVolumeMounts().stream().filter(mount -> mount.getName().equals(volume)).map(VolumeMount::getMountPath)
                .findFirst().orElseThrow(() -> new AssertionError(container.getName() + " does not mount " + volume));
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(variable -> variable.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
    }

    private static String configText() {
        return DOCS.stream().map(Manifests.Doc::resource).filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .map(map -> map.getData().get("drpilot.yaml")).findFirst().orElseThrow();
    }

    private static DrpilotConfig config() {
        try {
            return ConfigLoader.parse(configText(), "deploy/k8s-agent/configmap.yaml", variable -> "x");
        } catch (ConfigException e) {
            return fail(e.getMessage());
        }
    }

}
