package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * What a reader of the audit trail sees of one incident: {@code drpilot.actions} read_committed (as the actuator reads its
 * own history, and as the detectors and {@code drpilot failover history} read it), from the moment the watch was opened.
 * A record that was written but not committed (a fenced zombie's transaction) is not seen.
 */
final class ActionsWatch implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String incident;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<ActionRecord> actions = Topics.ACTIONS.valueSerde().deserializer();
    private final List<ActionRecord> seen = new ArrayList<>();

    ActionsWatch(EmbeddedKafkaBroker broker, String incident) {
        this.incident = incident;
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.ACTIONS.name(), TIMEOUT).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // seekToEnd is lazy: resolved now, before the incident begins, so that none of its records is skipped.
        partitions.forEach(partition -> consumer.position(partition, TIMEOUT));
    }

    /** The incident's records committed so far, in the order written. */
    synchronized List<ActionRecord> poll() {
        // Every record, not only those keyed by the incident: which key a writer uses is its business, the incident id is the contract.
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            ActionRecord action = actions.deserialize(record.topic(), record.headers(), record.value());
            if (action != null && incident.equals(action.getIncidentId())) {
                seen.add(action);
            }
        }
        return List.copyOf(seen);
    }

    /** Every record of the incident committed up to now (the last stable offsets as of this call). */
    synchronized List<ActionRecord> readToEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), TIMEOUT);
        await("drpilot.actions read up to " + ends).atMost(TIMEOUT).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
            poll();
            return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey(), TIMEOUT) >= end.getValue());
        });
        return List.copyOf(seen);
    }

    /** What was seen so far, one line per record, for an assertion's message. */
    synchronized String describe() {
        StringBuilder text = new StringBuilder("---- " + incident + " on drpilot.actions (read_committed), " + seen.size() + " records:\n");
        seen.forEach(record -> text.append("  ").append(record.getActionId()).append("  ").append(record.getKind()).append("  ")
                .append(record.getStatus()).append("  ").append(record.getDetail()).append('\n'));
        return text.toString();
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
