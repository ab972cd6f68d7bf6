package dev.drpilot.notify.status;

import dev.drpilot.events.RestoreCheck;
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

import java.util.List;

/**
 * Reads every restore check from the topic's beginning into the status board: checks run hours or days apart, so the
 * newest one of each component is in the history, not in what arrives after a restart. No consumer group: every
 * instance shows the same page.
 */
public final class RestoreCheckFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestoreCheckFeed.class);

    private final String topic;
    private final Deserializer<RestoreCheck> checks;
    private final java.util.function.Consumer<RestoreCheck> board;
    private final ConsumerLoop<byte[], byte[]> loop;

    public RestoreCheckFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<RestoreCheck> checks,
                            java.util.function.Consumer<RestoreCheck> board) {
        this.topic = topic;
        this.checks = checks;
        this.board = board;
        this.loop = ConsumerLoop.builder("drpilot-restore-check-feed", consumer)
                .assign(new FromBeginning())
                .handler(RecordHandler.each(this::accept))
                .whenDead("the status page's restore checks are no longer updated")
                .build();
    }

    public RestoreCheckFeed start() {
        loop.start();
        return this;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            RestoreCheck check = checks.deserialize(record.topic(), record.headers(), record.value());
            if (check != null) {
                board.accept(check);
            }
        } catch (RuntimeException e) {
            // The restore-check rule dead-letters it; the page simply does not show it.
            log.debug("restore check feed skips unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
        }
    }

    /**
     * Every partition from its beginning. A topic not there yet (no restore check ever ran, and nothing created it) is
     * looked for again every few seconds rather than failing the loop: the page has no restore checks to show meanwhile.
     */
    private final class FromBeginning implements Assignment<byte[], byte[]> {
        private static final long LOOK_AGAIN_NANOS = 5_000_000_000L;
        private long lookedAt;
        private boolean told;

        @Override
        public void take(Consumer<byte[], byte[]> consumer) {
            lookedAt = System.nanoTime();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                if (!told) {
                    log.info("topic {} does not exist yet: the status page shows no restore checks until it does", topic);
                    told = true;
                }
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        @Override
        public void afterRound(Consumer<byte[], byte[]> consumer) {
            if (consumer.assignment().isEmpty() && System.nanoTime() - lookedAt > LOOK_AGAIN_NANOS) {
                take(consumer);
            }
        }
    }

    public Worker worker() {
        return loop;
    }

    @Override
    public void close() {
        loop.close();
    }
}
