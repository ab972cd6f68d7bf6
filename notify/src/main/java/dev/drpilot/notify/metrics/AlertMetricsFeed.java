package dev.drpilot.notify.metrics;

import dev.drpilot.events.Alert;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads every alert, whatever the routes say, into {@link FiringAlerts}. It belongs to no consumer
 * group and reads the topic from its beginning at every start: what is firing now is the sum of
 * the history, and no instance should miss part of it to a group partner.
 */
public final class AlertMetricsFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertMetricsFeed.class);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Deserializer<Alert> alerts;
    private final FiringAlerts firing;
    private final java.util.function.Consumer<Alert> listener;
    private final Thread thread;
    private volatile boolean running = true;

    public AlertMetricsFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<Alert> alerts, FiringAlerts firing) {
        this(consumer, topic, alerts, firing, alert -> { });
    }

    /** @param listener told every alert as well, after {@link FiringAlerts} (the status page's open alerts) */
    public AlertMetricsFeed(Consumer<byte[], byte[]> consumer, String topic, Deserializer<Alert> alerts, FiringAlerts firing,
                            java.util.function.Consumer<Alert> listener) {
        this.consumer = consumer;
        this.topic = topic;
        this.alerts = alerts;
        this.firing = firing;
        this.listener = listener;
        this.thread = new Thread(this::run, "drpilot-alert-metrics");
        thread.setDaemon(true);
    }

    public AlertMetricsFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> startEnds = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record);
                }
                if (!firing.caughtUp() && partitions.stream().allMatch(partition -> consumer.position(partition) >= startEnds.get(partition))) {
                    firing.markCaughtUp();
                    log.info("alert metrics feed caught up: {} alert(s) firing", firing.size());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("alert metrics feed woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("alert metrics feed stopped: firing-alert gauges are no longer updated: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            Alert alert = alerts.deserialize(record.topic(), record.headers(), record.value());
            if (alert != null) {
                firing.accept(alert);
                listener.accept(alert);
            }
        } catch (RuntimeException e) {
            // The receivers' workers dead-letter it; for the gauges it simply does not count.
            log.debug("alert metrics feed skips unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
        }
    }

    @Override
    public void close() {
        running = false;
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
