package dev.drpilot.failover;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A read of the pauses or the history goes to the end offsets captured when it began, or fails: never a part. */
class TopicReaderTest {
    private static final String TOPIC = "drpilot.failover.control";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final List<String> read = new ArrayList<>();

    TopicReaderTest() {
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
    }

    @Test
    void readsEveryRecordUpToTheEndCapturedWhenTheReadBegan() throws Exception {
        consumer.updateEndOffsets(Map.of(P0, 2L));
        consumer.schedulePollTask(() -> {
            add(0, "pause");
            add(1, "resume");
            add(2, "written after the read began");
        });

        new TopicReader(Duration.ofSeconds(5)).read(consumer, TOPIC, TopicReader.Starts.beginning(), record -> read.add(text(record)));

        assertThat(read).containsExactly("pause", "resume");
    }

    @Test
    void aPartitionThatDoesNotReachItsEndInTimeFailsTheReadInsteadOfReturningWhatCame() {
        consumer.updateEndOffsets(Map.of(P0, 3L));
        consumer.schedulePollTask(() -> add(0, "pause"));

        assertThatThrownBy(() -> new TopicReader(Duration.ofMillis(500)).read(consumer, TOPIC, TopicReader.Starts.beginning(),
                record -> read.add(text(record))))
                .isInstanceOf(ReadIncompleteException.class)
                .hasMessageStartingWith(TOPIC + " not read to its end within 0 s (at {" + TOPIC + "-0=1}, end {" + TOPIC + "-0=3})");
    }

    @Test
    void kafkaThatDoesNotAnswerFailsTheRead() {
        consumer.setOffsetsException(new TimeoutException("end offsets not fetched within 30000 ms"));

        assertThatThrownBy(() -> new TopicReader(Duration.ofMillis(500)).read(consumer, TOPIC, TopicReader.Starts.beginning(),
                record -> read.add(text(record))))
                .isInstanceOf(ReadIncompleteException.class)
                .hasMessage("could not read " + TOPIC + ": org.apache.kafka.common.errors.TimeoutException: end offsets not fetched within 30000 ms");
    }

    @Test
    void aTopicWithoutPartitionsFailsTheRead() {
        assertThatThrownBy(() -> new TopicReader(Duration.ofMillis(500)).read(consumer, "drpilot.nothing", TopicReader.Starts.beginning(),
                record -> read.add(text(record))))
                .isInstanceOf(ReadIncompleteException.class)
                .hasMessage("drpilot.nothing has no partitions (does the topic exist?)");
    }

    private void add(long offset, String value) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, "pause/orders".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }
}
