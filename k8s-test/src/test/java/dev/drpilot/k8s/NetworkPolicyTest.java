package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may talk to drpilot's pods, and where they may go. */
class NetworkPolicyTest {
    @Test
    void everyDeploymentIsIsolatedBothWays() {
        for (Deployment deployment : Manifests.of(Deployment.class)) {
            NetworkPolicy policy = policyOf(deployment.getMetadata().getName());
            assertThat(policy.getSpec().getPolicyTypes()).as("policyTypes of %s", policy.getMetadata().getName())
                    .containsExactlyInAnyOrder("Ingress", "Egress");
        }
    }

    @Test
    void theIngestApiIsOpenOnlyToLabelledClients() {
        List<NetworkPolicyIngressRule> ingress = policyOf(Layout.INGEST).getSpec().getIngress().stream()
                .filter(rule -> ports(rule.getPorts()).contains(8081)).toList();
        assertThat(ingress).singleElement().satisfies(rule -> {
            assertThat(ports(rule.getPorts())).containsExactly(8081);
            assertThat(rule.getFrom()).isNotEmpty().allSatisfy(peer -> {
                assertThat(peer.getIpBlock()).isNull();
                assertThat(peer.getPodSelector()).as("a pod label, not everyone").isNotNull();
                assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("drpilot.dev/ingest-client", "true");
            });
        });
    }

    @Test
    void metricsAreOpenOnlyToTheMonitoringNamespace() {
        for (Map.Entry<String, Integer> service : Map.of(Layout.ACTUATOR, 9464, Layout.DETECTOR, 8082, Layout.INGEST, 8083).entrySet()) {
            List<NetworkPolicyIngressRule> ingress = policyOf(service.getKey()).getSpec().getIngress().stream()
                    .filter(rule -> ports(rule.getPorts()).contains(service.getValue())).toList();
            assertThat(ingress).as("ingress of %s to /metrics", service.getKey()).singleElement().satisfies(rule -> {
                assertThat(ports(rule.getPorts())).containsExactly(service.getValue());
                assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                    assertThat(peer.getIpBlock()).isNull();
                    assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring");
                });
            });
        }
        assertThat(policyOf(Layout.ACTUATOR).getSpec().getIngress()).hasSize(1);
        assertThat(policyOf(Layout.DETECTOR).getSpec().getIngress()).hasSize(1);
    }

    @Test
    void theDetectorTalksOnlyToKafkaAndDns() {
        NetworkPolicy detector = policyOf(Layout.DETECTOR);
        assertThat(detector.getSpec().getEgress()).allSatisfy(rule -> assertThat(rule.getTo()).isNotEmpty()
                .allSatisfy(peer -> assertThat(peer.getIpBlock()).as("no address outside the cluster").isNull()));
        assertThat(egressPorts(detector)).containsExactlyInAnyOrder(kafkaPort(), 53);
    }

    @Test
    void everyServiceReachesKafkaAndDns() {
        for (String name : List.of(Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR)) {
            NetworkPolicy policy = policyOf(name);
            assertThat(policy.getSpec().getEgress()).as("%s egress to the Kafka brokers", name).anySatisfy(rule -> {
                // The port of the brokers' listener, not a copy of it: a moved listener must move the egress rule too.
                assertThat(ports(rule.getPorts())).contains(kafkaPort());
                assertThat(rule.getTo()).anySatisfy(peer -> assertThat(peer.getPodSelector().getMatchLabels())
                        .containsEntry("strimzi.io/cluster", Layout.KAFKA));
            });
            assertThat(policy.getSpec().getEgress()).as("%s egress to DNS", name).anySatisfy(rule -> {
                assertThat(rule.getPorts()).extracting(NetworkPolicyPort::getProtocol).contains("UDP", "TCP");
                assertThat(ports(rule.getPorts())).containsOnly(53);
            });
        }
        assertThat(egressPorts(policyOf(Layout.ACTUATOR))).as("PostgreSQL, HTTPS (PagerDuty, AWS, the API server)").contains(5432, 443);
        assertThat(egressPorts(policyOf(Layout.INGEST))).as("PostgreSQL").contains(5432);
    }

    /** Strimzi writes the brokers' own policy from the listener's networkPolicyPeers: drpilot's pods must match it. */
    @Test
    void theBrokersAdmitDrpilotsPods() {
        JsonNode kafka = Manifests.docs("Kafka").get(0).tree();
        for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
            JsonNode peers = listener.path("networkPolicyPeers");
            assertThat(peers).as("networkPolicyPeers of listener %s", listener.path("name").asText()).isNotEmpty();
            for (Deployment deployment : Manifests.of(Deployment.class)) {
                Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
                boolean admitted = false;
                for (JsonNode peer : peers) {
                    Map<String, String> wanted = new HashMap<>();
                    peer.path("podSelector").path("matchLabels").properties().forEach(e -> wanted.put(e.getKey(), e.getValue().asText()));
                    admitted |= !wanted.isEmpty() && labels.entrySet().containsAll(wanted.entrySet());
                }
                assertThat(admitted).as("%s reaches listener %s", deployment.getMetadata().getName(), listener.path("name").asText()).isTrue();
            }
        }
    }

    private static NetworkPolicy policyOf(String deploymentName) {
        Deployment deployment = Manifests.one(Deployment.class, deploymentName);
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        List<NetworkPolicy> selecting = Manifests.of(NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getNamespace().equals(deployment.getMetadata().getNamespace()))
                .filter(p -> p.getSpec().getPodSelector().getMatchLabels() != null
                        && labels.entrySet().containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet()))
                .toList();
        assertThat(selecting).as("NetworkPolicies selecting %s's pods", deploymentName).hasSize(1);
        return selecting.get(0);
    }

    private static Set<Integer> egressPorts(NetworkPolicy policy) {
        return policy.getSpec().getEgress().stream().map(NetworkPolicyEgressRule::getPorts).flatMap(p -> ports(p).stream()).collect(Collectors.toSet());
    }

    private static List<Integer> ports(List<NetworkPolicyPort> ports) {
        assertThat(ports).as("a rule names its ports").isNotEmpty();
        return ports.stream().map(p -> p.getPort().getIntVal()).toList();
    }

    private static int kafkaPort() {
        return Manifests.docs("Kafka").get(0).tree().path("spec").path("kafka").path("listeners").get(0).path("port").asInt();
    }
}
