package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Strimzi resources, read as plain trees (fabric8 has no Strimzi classes): a KRaft cluster
 * from one node pool, and a KafkaTopic for each topic of drpilot's catalogue, as the catalogue
 * declares it.
 */
class KafkaManifestsTest {
    @Test
    void theKafkaClusterRunsOnANodePoolOfThreeKraftNodes() {
        assertThat(Manifests.docs("Kafka")).hasSize(1);
        JsonNode kafka = kafka();
        assertThat(kafka.path("metadata").path("name").asText()).isEqualTo(Layout.KAFKA);
        assertThat(kafka.path("metadata").path("annotations").path("strimzi.io/node-pools").asText()).isEqualTo("enabled");
        JsonNode spec = kafka.path("spec").path("kafka");
        assertThat(spec.path("listeners")).as("spec.kafka.listeners").isNotEmpty()
                .allSatisfy(listener -> {
                    assertThat(listener.path("name").asText()).matches("[a-z0-9]{1,11}");
                    assertThat(listener.path("port").asInt()).isBetween(9092, 65535);
                    assertThat(listener.path("type").asText()).isNotBlank();
                    assertThat(listener.has("tls")).isTrue();
                });
        // With node pools, replicas and storage belong to the pools; Strimzi ignores them here.
        assertThat(spec.has("replicas")).isFalse();
        assertThat(spec.has("storage")).isFalse();
        assertThat(kafka.path("spec").path("entityOperator").has("topicOperator")).as("the Topic Operator reconciles the KafkaTopics").isTrue();

        List<JsonNode> pools = Manifests.docs("KafkaNodePool").stream().map(Manifests.Doc::tree).toList();
        assertThat(pools).isNotEmpty().allSatisfy(pool -> {
            assertThat(pool.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(Layout.KAFKA);
            assertThat(pool.path("spec").path("storage").path("type").asText()).isNotBlank();
        });
        assertThat(nodes(pools, "controller")).isEqualTo(3);
        assertThat(nodes(pools, "broker")).isEqualTo(3);
    }

    @Test
    void topicsAreReplicatedSoOneBrokerMayBeDown() {
        JsonNode config = kafka().path("spec").path("kafka").path("config");
        int brokers = nodes(Manifests.docs("KafkaNodePool").stream().map(Manifests.Doc::tree).toList(), "broker");
        int minIsr = config.path("min.insync.replicas").asInt(1);
        assertThat(config.path("transaction.state.log.replication.factor").asInt()).isEqualTo(brokers);
        assertThat(config.path("offsets.topic.replication.factor").asInt()).isEqualTo(brokers);
        for (Manifests.Doc topic : Manifests.docs("KafkaTopic")) {
            int replicas = topic.tree().path("spec").path("replicas").asInt();
            assertThat(replicas).as("%s replicas", topic.name()).isLessThanOrEqualTo(brokers).isGreaterThan(minIsr);
        }
    }

    @Test
    void thereIsAKafkaTopicForEveryTopicOfTheCatalogueAsItDeclaresIt() {
        Map<String, JsonNode> topics = Manifests.docs("KafkaTopic").stream().map(Manifests.Doc::tree)
                .collect(Collectors.toMap(KafkaManifestsTest::topicName, Function.identity()));
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.all().stream().map(Topic::name).toList());
        for (Topic<?, ?> topic : Topics.all()) {
            JsonNode manifest = topics.get(topic.name());
            assertThat(manifest.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(Layout.KAFKA);
            assertThat(manifest.path("spec").path("partitions").asInt()).as("%s partitions", topic.name()).isEqualTo(topic.defaultPartitions());
            Map<String, String> config = new TreeMap<>();
            manifest.path("spec").path("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            assertThat(config).as("%s config", topic.name()).isEqualTo(topic.topicConfigs());
        }
    }

    @Test
    void theKafkaTopicsPartitionsMatchTheConfiguredPartitions() {
        int configured = EmbeddedConfig.tree().path("kafka").path("partitions").asInt(6);
        Manifests.docs("KafkaTopic").stream().map(Manifests.Doc::tree)
                .filter(topic -> topic.path("spec").path("partitions").asInt() > 1)
                .forEach(topic -> assertThat(topic.path("spec").path("partitions").asInt()).as(topicName(topic)).isEqualTo(configured));
    }

    private static JsonNode kafka() {
        return Manifests.docs("Kafka").get(0).tree();
    }

    private static int nodes(List<JsonNode> pools, String role) {
        return pools.stream()
                .filter(pool -> StreamSupport.stream(pool.path("spec").path("roles").spliterator(), false).anyMatch(r -> r.asText().equals(role)))
                .mapToInt(pool -> pool.path("spec").path("replicas").asInt())
                .sum();
    }

    private static String topicName(JsonNode topic) {
        String name = topic.path("spec").path("topicName").asText();
        return name.isEmpty() ? topic.path("metadata").path("name").asText() : name;
    }
}
