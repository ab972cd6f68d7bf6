package dev.drpilot.schemas;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalogue on a real broker: topics created idempotently, one record of every event type through the real serdes. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EventsThroughKafkaIT {

    @Test
    void createsTheCatalogueIdempotentlyWithItsSettings(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, Topics.all(), 3, Optional.empty(), Duration.ofSeconds(30));
            TopicAdmin.Result again = TopicAdmin.ensureTopics(admin, Topics.all(), 3, Optional.empty(), Duration.ofSeconds(30));

            assertThat(again.topics(TopicAdmin.Outcome.EXISTED)).containsExactlyInAnyOrderElementsOf(
                    Topics.all().stream().map(Topic::name).toList());
            assertThat(again.topics(TopicAdmin.Outcome.CREATED)).isEmpty();

            Map<String, TopicDescription> described = admin.describeTopics(List.of(Topics.ALERTS.name(), Topics.DEAD_LETTER.name()))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(described.get(Topics.ALERTS.name()).partitions()).hasSize(3);
            assertThat(described.get(Topics.DEAD_LETTER.name()).partitions()).hasSize(1);

            ConfigResource actions = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ACTIONS.name());
            assertThat(admin.describeConfigs(List.of(actions)).all().get(30, TimeUnit.SECONDS).get(actions)
                    .get("retention.ms").value()).isEqualTo(Topics.ACTIONS.configs().get("retention.ms"));
        }
    }

    @Test
    void everyEventTypeGoesThroughKafkaAndComesBackEqual(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, Topics.all(), 3, Optional.empty(), Duration.ofSeconds(30));
        }
        for (SampleEvents.Sample<?, ?> sample : SampleEvents.onePerTopic()) {
            sendAndReceive(broker, sample);
        }
    }

    private static <K, V> void sendAndReceive(EmbeddedKafkaBroker broker, SampleEvents.Sample<K, V> sample) throws Exception {
        Topic<K, V> topic = sample.topic();
        try (KafkaProducer<K, V> producer = KafkaTestClients.producer(broker, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), sample.key(), sample.value())).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<K, V>> received = KafkaTestClients.read(broker, topic.name(), 1,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer(), Duration.ofSeconds(30));

        assertThat(received).as("records read back from %s", topic.name()).isNotEmpty();
        ConsumerRecord<K, V> first = received.get(0);
        assertThat(first.key()).as("key on %s", topic.name()).isEqualTo(sample.key());
        assertThat(first.value()).as("value on %s", topic.name()).isEqualTo(sample.value());
    }
}
