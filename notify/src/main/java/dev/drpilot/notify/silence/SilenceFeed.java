package dev.drpilot.notify.silence;

import dev.drpilot.events.Silence;
import dev.drpilot.runtime.Assignment;
import dev.drpilot.runtime.ConsumerLoop;
import dev.drpilot.runtime.RecordHandler;
import dev.drpilot.runtime.Worker;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Keeps {@link Silences} up to date from the silences topic: no consumer group, the whole (compacted) topic from its
 * beginning at every start, then every new version as it is written, so each actuator instance knows every silence.
 */
public final class SilenceFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SilenceFeed.class);

    private final String topic;
    private final Deserializer<Silence> values;
    private final Silences silences;
    private final ConsumerLoop<byte[], byte[]> loop;

    public SilenceFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<Silence> values, Silences silences) {
        this.topic = topic;
        this.values = values;
        this.silences = silences;
        this.loop = ConsumerLoop.builder("drpilot-silences", consumer)
                .assign(new FromBeginning())
                .handler(RecordHandler.each(this::accept))
                .whenDead("silences are no longer updated: new ones do not hold alerts back, expired ones may")
                .build();
    }

    public SilenceFeed start() {
        loop.start();
        return this;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        String id = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        try {
            silences.accept(id, values.deserialize(record.topic(), record.headers(), record.value()));
        } catch (RuntimeException e) {
            // A silence nobody can read silences nothing: its alerts are delivered, which is the safe side.
            log.error("[silence={}] unreadable silence record {}-{}@{}, ignored (its alerts are delivered): {}", id, record.topic(),
                    record.partition(), record.offset(), e.toString());
        }
    }

    /**
     * Every partition from its beginning; caught up once the positions reach the ends the topic had at start. A topic that
     * does not exist yet (nobody has silenced anything on a cluster whose topics are made by hand) holds no silence: it is
     * looked for again every few seconds rather than stopping the feed.
     */
    private final class FromBeginning implements Assignment<byte[], byte[]> {
        private List<TopicPartition> partitions = List.of();
        private Map<TopicPartition, Long> startEnds = Map.of();
        private long nextLook;

        @Override
        public void take(Consumer<byte[], byte[]> consumer) {
            partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                log.warn("topic {} does not exist (yet): no silences until it does", topic);
                silences.markCaughtUp();
                nextLook = System.currentTimeMillis() + 5_000;
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            startEnds = consumer.endOffsets(partitions);
        }

        @Override
        public void afterRound(Consumer<byte[], byte[]> consumer) {
            if (partitions.isEmpty()) {
                if (System.currentTimeMillis() >= nextLook) {
                    take(consumer);
                }
                return;
            }
            if (!silences.caughtUp() && partitions.stream().allMatch(partition -> consumer.position(partition) >= startEnds.get(partition))) {
                silences.markCaughtUp();
                log.info("silences read: {} in force", silences.active(java.time.Instant.now()).size());
            }
        }
    }

    /** Its consumer loop, for the health endpoint. */
    public Worker worker() {
        return loop;
    }

    @Override
    public void close() {
        loop.close();
    }
}
