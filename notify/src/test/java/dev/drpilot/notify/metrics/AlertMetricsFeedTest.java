package dev.drpilot.notify.metrics;

import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.schemas.topic.Topics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Which alerts the feed counts as written after its start (what the alert-latency histogram measures). */
class AlertMetricsFeedTest {
    private static final String TOPIC = "drpilot.alerts";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    @Test
    void anAlertWrittenBetweenStartAndPositioningIsFreshAndTheHistoryIsNot() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        // The end offset the feed sees when it positions itself already includes offset 1, written just after start().
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 2L));
        List<String> fresh = new CopyOnWriteArrayList<>();
        List<String> all = new CopyOnWriteArrayList<>();
        FiringAlerts firing = new FiringAlerts(new PrometheusRegistry());
        long beforeStart = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        try (AlertMetricsFeed feed = new AlertMetricsFeed(consumer, TOPIC, Topics.ALERTS.valueSerde().deserializer(), firing,
                alert -> all.add(alert.getRule()), alert -> fresh.add(alert.getRule())).start()) {
            long afterStart = System.currentTimeMillis();
            consumer.schedulePollTask(() -> {
                consumer.addRecord(record(0, beforeStart, "history"));
                consumer.addRecord(record(1, afterStart, "raced"));
                consumer.addRecord(record(2, afterStart, "after"));
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> all.size() == 3);
            assertThat(fresh).containsExactly("raced", "after");
            assertThat(firing.caughtUp()).isTrue();
            assertThat(feed.worker().alive()).isTrue();
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, long timestamp, String rule) {
        Alert alert = TestAlerts.firing("orders", Severity.CRITICAL).setRule(rule).setFingerprint(rule + "/cluster=orders").build();
        byte[] value = Topics.ALERTS.valueSerde().serializer().serialize(TOPIC, alert);
        return new ConsumerRecord<>(TOPIC, 0, offset, timestamp, TimestampType.CREATE_TIME, 0, value.length, new byte[0], value,
                new RecordHeaders(), Optional.empty());
    }
}
