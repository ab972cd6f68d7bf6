package dev.drpilot.actuator.status;

import dev.drpilot.events.ActionRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads the action records from {@code lookback} ago into the {@link StatusBoard}, so that the page
 * shows the failovers of the past days, also those from before this process started. It is a
 * consumer of its own and not a listener of {@code PlantMetricsFeed}: that feed reads actions only
 * from its start, on purpose, so that its failover counters never count a failover twice.
 * No consumer group, only committed records; a topic that does not exist yet is looked for again.
 */
public final class ActionHistoryFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ActionHistoryFeed.class);
    private static final Duration RETRY_MISSING_TOPIC = Duration.ofSeconds(5);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Deserializer<ActionRecord> actions;
    private final StatusBoard board;
    private final Clock clock;
    private final Duration lookback;
    private final Thread thread;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean running = true;

    /** @param consumer a consumer without a group, {@code isolation.level=read_committed}; closed by this feed */
    public ActionHistoryFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<ActionRecord> actions, StatusBoard board, Clock clock,
                             Duration lookback) {
        this.consumer = consumer;
        this.topic = topic;
        this.actions = actions;
        this.board = board;
        this.clock = clock;
        this.lookback = lookback;
        this.thread = new Thread(this::run, "drpilot-status-actions");
        thread.setDaemon(true);
    }

    public ActionHistoryFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running && !assign()) {
                log.debug("[topic={}] status page: actions topic does not exist yet", topic);
                stopping.await(RETRY_MISSING_TOPIC.toMillis(), TimeUnit.MILLISECONDS);
            }
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("[topic={}] status page's action feed woken up unexpectedly", topic, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("[topic={}] status page's action feed stopped: failover timelines are no longer updated: {}", topic, e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private boolean assign() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
        if (partitions.isEmpty()) {
            return false;
        }
        consumer.assign(partitions);
        long from = clock.instant().minus(lookback).toEpochMilli();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(partition -> times.put(partition, from));
        // Ends fetched as numbers before the search, as PlantMetricsFeed does: a record written in between is not skipped.
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = offsets.get(partition);
            consumer.seek(partition, offset == null ? ends.get(partition) : offset.offset());
        }
        log.info("[topic={}] status page reads failovers of the past {} from {} partition(s)", topic, lookback, partitions.size());
        return true;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            ActionRecord action = actions.deserialize(record.topic(), record.headers(), record.value());
            if (action != null) {
                board.accept(action);
            }
        } catch (RuntimeException e) {
            // PlantMetricsFeed counts unreadable action records; here the record only stays off the page.
            log.debug("[topic={}] status page skips unreadable record {}-{}@{}: {}", topic, record.topic(), record.partition(), record.offset(),
                    e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        stopping.countDown();
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
