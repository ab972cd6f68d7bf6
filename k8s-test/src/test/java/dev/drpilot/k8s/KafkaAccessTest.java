package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drpilot.schemas.topic.AccessPolicy;
import dev.drpilot.schemas.topic.AccessPolicy.Grant;
import dev.drpilot.schemas.topic.AccessPolicy.Principal;
import dev.drpilot.schemas.topic.Topics;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may command: the brokers' only listener authenticates every client, the KafkaUsers' ACLs
 * are the table of {@link AccessPolicy} (which the ACL integration test installs on a real
 * broker), and every Deployment logs in as its own principal over TLS.
 */
class KafkaAccessTest {
    private static final Map<String, ResourceType> STRIMZI_TYPES = Map.of("topic", ResourceType.TOPIC, "group", ResourceType.GROUP,
            "transactionalId", ResourceType.TRANSACTIONAL_ID, "cluster", ResourceType.CLUSTER);
    private static final Map<String, PatternType> STRIMZI_PATTERNS = Map.of("literal", PatternType.LITERAL, "prefix", PatternType.PREFIXED);
    private static final Map<String, Principal> DEPLOYMENTS = Map.of(Layout.INGEST, Principal.INGEST, Layout.DETECTOR, Principal.DETECTOR,
            Layout.ACTUATOR, Principal.ACTUATOR);

    @Test
    void everyListenerIsTlsWithScramAndEveryRequestIsAuthorized() {
        JsonNode kafka = kafkaSpec();
        assertThat(kafka.path("listeners")).isNotEmpty().allSatisfy(listener -> {
            assertThat(listener.path("tls").asBoolean()).as("listener %s tls", listener.path("name").asText()).isTrue();
            assertThat(listener.path("authentication").path("type").asText()).as("listener %s authentication", listener.path("name").asText())
                    .isEqualTo("scram-sha-512");
        });
        assertThat(kafka.path("authorization").path("type").asText()).isEqualTo("simple");
        assertThat(kafka.path("authorization").path("superUsers")).as("no service is a super user").isEmpty();
        assertThat(Manifests.docs("Kafka").get(0).tree().path("spec").path("entityOperator").has("userOperator"))
                .as("the User Operator reconciles the KafkaUsers").isTrue();
    }

    @Test
    void thereIsAScramKafkaUserForEveryPrincipal() {
        List<Manifests.Doc> users = Manifests.docs("KafkaUser");
        assertThat(users).extracting(Manifests.Doc::name)
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Principal.values()).map(Principal::user).toList());
        assertThat(users).allSatisfy(user -> {
            JsonNode tree = user.tree();
            assertThat(tree.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(Layout.KAFKA);
            assertThat(tree.path("spec").path("authentication").path("type").asText()).as(user.name()).isEqualTo("scram-sha-512");
            assertThat(tree.path("spec").path("authorization").path("type").asText()).as(user.name()).isEqualTo("simple");
        });
    }

    @Test
    void theKafkaUsersAclsAreTheAccessPolicy() {
        Set<String> manifests = new TreeSet<>();
        for (Manifests.Doc user : Manifests.docs("KafkaUser")) {
            for (JsonNode acl : user.tree().path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                ResourceType type = STRIMZI_TYPES.get(resource.path("type").asText());
                assertThat(type).as("%s resource type %s", user.name(), resource.path("type")).isNotNull();
                String name = type == ResourceType.CLUSTER ? AccessPolicy.CLUSTER_RESOURCE : resource.path("name").asText();
                PatternType pattern = type == ResourceType.CLUSTER ? PatternType.LITERAL
                        : STRIMZI_PATTERNS.get(resource.path("patternType").asText("literal"));
                assertThat(acl.has("operation")).as("%s: `operation` is gone in kafka.strimzi.io/v1, use `operations`", user.name()).isFalse();
                acl.path("operations").forEach(operation -> manifests.add(line(user.name(), type, name, pattern, operation.asText())));
            }
        }
        Set<String> policy = new TreeSet<>();
        for (Grant grant : AccessPolicy.grants()) {
            grant.operations().forEach(operation -> policy.add(line(grant.principal().user(), grant.resourceType(), grant.name(),
                    grant.patternType(), Grant.strimziOperation(operation))));
        }
        assertThat(manifests).isEqualTo(policy);
    }

    @ParameterizedTest(name = "{0} may write: {1}")
    @CsvSource(delimiter = ';', value = {
            "drpilot-ingest;    drpilot.collectors.heartbeat drpilot.deadletter drpilot.observations.backup drpilot.observations.health drpilot.observations.replication",
            "drpilot-detector;  drpilot.alerts drpilot.deadletter drpilot.failover.commands",
            "drpilot-actuator;  drpilot.actions drpilot.agent.commands drpilot.deadletter",
            "drpilot-operator;  drpilot.actions drpilot.failover.commands drpilot.failover.control drpilot.recovery.checks drpilot.silences",
            "drpilot-agent;     drpilot.agent.leases drpilot.agent.replies drpilot.observations.health",
            "drpilot-recovery;  drpilot.recovery.checks",
            "drpilot-drill;     drpilot.actions drpilot.deadletter drpilot.failover.commands drpilot.failover.control drpilot.recovery.checks",
    })
    void whoMayWriteWhichTopic(String user, String topics) {
        Set<String> writable = new TreeSet<>();
        JsonNode acls = Manifests.docs("KafkaUser").stream().filter(doc -> doc.name().equals(user)).findFirst().orElseThrow()
                .tree().path("spec").path("authorization").path("acls");
        for (JsonNode acl : acls) {
            JsonNode resource = acl.path("resource");
            boolean writes = false;
            for (JsonNode operation : acl.path("operations")) {
                writes |= operation.asText().equals("Write") || operation.asText().equals("All");
            }
            if (writes && resource.path("type").asText().equals("topic")) {
                String name = resource.path("name").asText();
                Topics.all().stream().map(topic -> topic.name())
                        .filter(topic -> resource.path("patternType").asText().equals("prefix") ? topic.startsWith(name) : topic.equals(name))
                        .forEach(writable::add);
            }
        }
        assertThat(writable).containsExactlyElementsOf(new TreeSet<>(List.of(topics.trim().split(" +"))));
    }

    @Test
    void theConfigurationConnectsOverTlsWithScramAsTheServicesOwnPrincipal() {
        JsonNode kafka = EmbeddedConfig.tree().path("kafka");
        int port = kafkaSpec().path("listeners").get(0).path("port").asInt();
        assertThat(kafka.path("bootstrapServers").asText()).isEqualTo(Layout.KAFKA + "-kafka-bootstrap." + Layout.NAMESPACE + ".svc:" + port);
        JsonNode properties = kafka.path("properties");
        assertThat(properties.path("security.protocol").asText()).isEqualTo("SASL_SSL");
        assertThat(properties.path("sasl.mechanism").asText()).isEqualTo("SCRAM-SHA-512");
        assertThat(properties.path("sasl.jaas.config").asText()).isEqualTo("${" + Layout.KAFKA_JAAS_ENV + "}");
        assertThat(properties.path("ssl.truststore.type").asText()).isEqualTo("PEM");
    }

    @Test
    void everyDeploymentHasItsOwnCredentialsAndTrustsTheClusterCa() {
        Path truststore = Path.of(EmbeddedConfig.tree().path("kafka").path("properties").path("ssl.truststore.location").asText());
        assertThat(Manifests.of(Deployment.class)).extracting(deployment -> deployment.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(DEPLOYMENTS.keySet());
        for (Map.Entry<String, Principal> entry : DEPLOYMENTS.entrySet()) {
            Deployment deployment = Manifests.one(Deployment.class, entry.getKey());
            Container container = DeploymentsTest.container(deployment);
            EnvVar jaas = DeploymentsTest.env(container, Layout.KAFKA_JAAS_ENV)
                    .orElseThrow(() -> new AssertionError(entry.getKey() + " lacks env " + Layout.KAFKA_JAAS_ENV));
            assertThat(jaas.getValue()).as("%s: no literal credentials", entry.getKey()).isNull();
            SecretKeySelector secret = jaas.getValueFrom().getSecretKeyRef();
            assertThat(secret).as("%s %s", entry.getKey(), Layout.KAFKA_JAAS_ENV).isNotNull();
            assertThat(secret.getName()).as("%s logs in as", entry.getKey()).isEqualTo(entry.getValue().user());
            assertThat(secret.getKey()).isEqualTo("sasl.jaas.config");

            Volume ca = DeploymentsTest.volume(deployment, DeploymentsTest.mountAt(container, truststore.getParent().toString()).getName());
            assertThat(ca.getSecret()).as("%s: the cluster CA comes from Strimzi's Secret", entry.getKey()).isNotNull();
            assertThat(ca.getSecret().getSecretName()).isEqualTo(Layout.KAFKA_CA_SECRET);
            assertThat(ca.getSecret().getItems()).anySatisfy(item -> {
                assertThat(item.getKey()).isEqualTo("ca.crt");
                assertThat(item.getPath()).isEqualTo(truststore.getFileName().toString());
            });
        }
    }

    @Test
    void onlyTheOperatorAndItsDrillsMayWriteControlRecordsAndIngestMayNotCommand() {
        Set<String> controlWriters = Arrays.stream(Principal.values())
                .filter(p -> AccessPolicy.allows(p, AclOperation.WRITE, ResourceType.TOPIC, Topics.FAILOVER_CONTROL.name()))
                .map(Principal::user).collect(Collectors.toSet());
        assertThat(controlWriters).containsExactlyInAnyOrder(Principal.OPERATOR.user(), Principal.DRILL.user());
        assertThat(AccessPolicy.allows(Principal.INGEST, AclOperation.WRITE, ResourceType.TOPIC, Topics.FAILOVER_COMMANDS.name())).isFalse();
    }

    private static JsonNode kafkaSpec() {
        return Manifests.docs("Kafka").get(0).tree().path("spec").path("kafka");
    }

    private static String line(String user, ResourceType type, String name, PatternType pattern, String operation) {
        return user + " " + operation + " " + type + ":" + name + " (" + pattern + ")";
    }
}
