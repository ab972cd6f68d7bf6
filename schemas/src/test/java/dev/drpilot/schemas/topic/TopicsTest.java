package dev.drpilot.schemas.topic;

import dev.drpilot.schemas.SampleEvents;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @Test
    void topicNamesAreUniqueAndNamespaced() {
        assertThat(Topics.all()).extracting(Topic::name).doesNotHaveDuplicates().allMatch(name -> name.startsWith("drpilot."));
    }

    @Test
    void everyTopicsSerdesRoundTripItsRecords() {
        for (SampleEvents.Sample<?, ?> sample : SampleEvents.onePerTopic()) {
            assertRoundTrip(sample);
        }
        assertThat(SampleEvents.onePerTopic().stream().map(sample -> sample.topic().name()))
                .containsExactlyInAnyOrderElementsOf(Topics.all().stream().map(Topic::name).toList());
    }

    private static <K, V> void assertRoundTrip(SampleEvents.Sample<K, V> sample) {
        Topic<K, V> topic = sample.topic();
        byte[] key = topic.keySerde().serializer().serialize(topic.name(), sample.key());
        byte[] value = topic.valueSerde().serializer().serialize(topic.name(), sample.value());
        assertThat(topic.keySerde().deserializer().deserialize(topic.name(), key)).isEqualTo(sample.key());
        assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), value)).isEqualTo(sample.value());
    }

    @Test
    void topicConfigsCarryTheCleanupPolicyAndRetention() {
        assertThat(Topics.ACTIONS.topicConfigs())
                .containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", Long.toString(365L * 24 * 3600 * 1000));
        assertThat(Topics.all()).allSatisfy(topic -> assertThat(topic.topicConfigs()).containsKey("retention.ms"));
    }

    @Test
    void configuredPartitionsApplyToKeyedTopicsButTheDeadLetterTopicKeepsOne() {
        NewTopic alerts = TopicAdmin.newTopic(Topics.ALERTS, 12, Optional.of((short) 3));
        NewTopic deadLetter = TopicAdmin.newTopic(Topics.DEAD_LETTER, 12, Optional.of((short) 3));
        NewTopic defaults = TopicAdmin.newTopic(Topics.ALERTS, 0, Optional.empty());

        assertThat(alerts.numPartitions()).isEqualTo(12);
        assertThat(alerts.replicationFactor()).isEqualTo((short) 3);
        assertThat(deadLetter.numPartitions()).isEqualTo(1);
        assertThat(defaults.numPartitions()).isEqualTo(Topics.ALERTS.defaultPartitions());
        assertThat(defaults.replicationFactor()).isEqualTo((short) -1); // the broker's default
    }
}
