package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.KafkaSettings;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kafka cluster a command works against: the one configured, or a broker started in this
 * process when none is configured and the command may embed one.
 */
final class KafkaConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaSettings settings;
    private final EmbeddedKafkaBroker embedded;
    private final Map<String, Object> clientProperties;

    private KafkaConnection(KafkaSettings settings, EmbeddedKafkaBroker embedded, Map<String, Object> clientProperties) {
        this.settings = settings;
        this.embedded = embedded;
        this.clientProperties = Map.copyOf(clientProperties);
    }

    static KafkaConnection open(KafkaSettings settings, String bootstrapOverride, boolean mayEmbed, Path stateDirOverride, String command) {
        Map<String, Object> props = new HashMap<>();
        props.putAll(settings.properties());
        Optional<String> bootstrap = Optional.ofNullable(bootstrapOverride).filter(s -> !s.isBlank())
                .or(settings::bootstrapServers);
        if (bootstrap.isPresent()) {
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
            return new KafkaConnection(settings, null, props);
        }
        if (!mayEmbed) {
            throw new UsageException("needs a Kafka cluster: set kafka.bootstrapServers in the configuration or pass"
                    + " --bootstrap-servers (only 'drpilot run' starts an embedded broker)");
        }
        Path stateDir = stateDirOverride != null ? stateDirOverride : settings.embedded().stateDir();
        log.info("drpilot {}: no kafka.bootstrapServers configured, starting an embedded Kafka broker (state in {})", command, stateDir);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(stateDir).port(settings.embedded().port()).build().start();
        props.putAll(broker.clientProperties());
        return new KafkaConnection(settings, broker, props);
    }

    Map<String, Object> clientProperties() {
        return clientProperties;
    }

    /** The embedded broker's state directory, if this connection started one. */
    Optional<Path> embeddedStateDir() {
        return Optional.ofNullable(embedded).map(EmbeddedKafkaBroker::stateDir);
    }

    /**
     * For a command that publishes a record and exits: acknowledged by every in-sync replica, idempotent, and bounded,
     * so that the command says within 40 s whether Kafka has the record.
     */
    Map<String, Object> oneShotProducerProperties() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return props;
    }

    String description() {
        String servers = String.valueOf(clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        return embedded != null ? "the embedded Kafka broker at " + servers : "Kafka at " + servers;
    }

    /** Creates the topics that are missing; fails with the topic and the reason when one cannot be made. */
    void ensureTopics(List<Topic<?, ?>> topics) {
        Map<String, Object> adminProps = new HashMap<>(clientProperties);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TOPIC_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(adminProps)) {
            TopicAdmin.Result result = TopicAdmin.ensureTopics(admin, topics, settings.partitions(),
                    settings.replicationFactor(), TOPIC_TIMEOUT);
            log.info("Kafka topics: {}", result);
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
