package dev.drpilot.detector;

import dev.drpilot.detector.metrics.CountingDeserializationHandler;
import dev.drpilot.detector.metrics.CountingProcessingHandler;
import dev.drpilot.detector.metrics.DeadLetters;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DetectorStreamsPropertiesTest {
    private static StreamsConfig config(Map<String, Object> clientProperties) {
        return new StreamsConfig(DetectorService.streamsProperties(clientProperties, "drpilot-detector",
                Path.of("/tmp/drpilot-state"), new DeadLetters()));
    }

    @Test
    void exactlyOnceWithTheRegularCommitInterval() {
        StreamsConfig config = config(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"));

        assertThat(config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(DetectorService.COMMIT_INTERVAL.toMillis());
    }

    @Test
    void unreadableRecordsAndRecordsARuleFailedOnAreDeadLetteredAndCounted() {
        StreamsConfig config = config(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"));

        assertThat(config.getClass(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(CountingDeserializationHandler.class);
        assertThat(config.getClass(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(CountingProcessingHandler.class);
        assertThat(config.getString(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG)).isEqualTo(Topics.DEAD_LETTER.name());
    }

    /** The uncommitted-bytes check is off only because the stores hold no uncommitted bytes: both settings go together. */
    @Test
    void theUncommittedBytesCheckIsOffOnlyWithStoresThatAreNotTransactional() {
        StreamsConfig config = config(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
                StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true));

        assertThat(config.getBoolean(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG)).isFalse();
        assertThat(config.getLong(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG)).isEqualTo(-1L);
    }
}
