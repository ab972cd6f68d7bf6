package dev.drpilot.notify.metrics;

import dev.drpilot.events.Alert;
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
import java.util.Map;

/**
 * Reads every alert, whatever the routes say, into {@link FiringAlerts}. It belongs to no consumer
 * group and reads the topic from its beginning at every start: what is firing now is the sum of
 * the history, and no instance should miss part of it to a group partner.
 */
public final class AlertMetricsFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertMetricsFeed.class);

    private final String topic;
    private final Deserializer<Alert> alerts;
    private final FiringAlerts firing;
    private final java.util.function.Consumer<Alert> listener;
    private final java.util.function.Consumer<Alert> fresh;
    private final FromBeginning assignment = new FromBeginning();
    private final ConsumerLoop<byte[], byte[]> loop;
    private volatile long startedAtMillis = Long.MAX_VALUE;

    public AlertMetricsFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<Alert> alerts, FiringAlerts firing) {
        this(consumer, topic, alerts, firing, alert -> { });
    }

    /** @param listener told every alert as well, after {@link FiringAlerts} (the status page's open alerts) */
    public AlertMetricsFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<Alert> alerts, FiringAlerts firing,
                            java.util.function.Consumer<Alert> listener) {
        this(consumer, topic, alerts, firing, listener, alert -> { });
    }

    /**
     * @param fresh told, after the listener, only the alerts written after this feed started (not the history it replays at
     *              start): what {@link AlertLatency} measures
     */
    public AlertMetricsFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<Alert> alerts, FiringAlerts firing,
                            java.util.function.Consumer<Alert> listener, java.util.function.Consumer<Alert> fresh) {
        this.topic = topic;
        this.alerts = alerts;
        this.firing = firing;
        this.listener = listener;
        this.fresh = fresh;
        this.loop = ConsumerLoop.builder("drpilot-alert-metrics", consumer)
                .assign(assignment)
                .handler(RecordHandler.each(this::accept))
                .whenDead("firing-alert gauges are no longer updated")
                .build();
    }

    public AlertMetricsFeed start() {
        startedAtMillis = System.currentTimeMillis();
        loop.start();
        return this;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            Alert alert = alerts.deserialize(record.topic(), record.headers(), record.value());
            if (alert != null) {
                firing.accept(alert);
                listener.accept(alert);
                if (assignment.isNew(record)) {
                    fresh.accept(alert);
                }
            }
        } catch (RuntimeException e) {
            // The receivers' workers dead-letter it; for the gauges it simply does not count.
            log.debug("alert metrics feed skips unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
        }
    }

    /** Every partition from its beginning; caught up once the positions reach the ends the topic had at start. */
    private final class FromBeginning implements Assignment<byte[], byte[]> {
        private List<TopicPartition> partitions = List.of();
        private Map<TopicPartition, Long> startEnds = Map.of();

        @Override
        public void take(Consumer<byte[], byte[]> consumer) {
            partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                // Nothing would ever be read, and an empty topic would count as caught up.
                throw new IllegalStateException("topic " + topic + " has no partitions: does it exist?");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            startEnds = consumer.endOffsets(partitions);
        }

        /**
         * Written after the start: at or beyond the end its partition had when the feed was positioned, or stamped (wall
         * clock, as record timestamps are) at or after {@link #start()}. The second half matters for an alert written
         * between start and positioning, which the end offsets already include: without it the first alerts after a
         * restart would not be measured.
         */
        boolean isNew(ConsumerRecord<byte[], byte[]> record) {
            Long end = startEnds.get(new TopicPartition(record.topic(), record.partition()));
            return end != null && record.offset() >= end || record.timestamp() >= startedAtMillis;
        }

        @Override
        public void afterRound(Consumer<byte[], byte[]> consumer) {
            if (!firing.caughtUp() && partitions.stream().allMatch(partition -> consumer.position(partition) >= startEnds.get(partition))) {
                firing.markCaughtUp();
                log.info("alert metrics feed caught up: {} alert(s) firing", firing.size());
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
