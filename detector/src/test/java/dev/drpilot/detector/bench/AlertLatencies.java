package dev.drpilot.detector.bench;

import dev.drpilot.events.Alert;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * Observation-to-alert latency. The load generator registers each triggering observation
 * (cluster, replica, event time) with its send time; a {@code read_committed} consumer on
 * {@code drpilot.alerts} (own thread, no group, all partitions) matches each alert by
 * (cluster, node, the event time of the observation that triggered it) and records two figures:
 * <ul>
 *   <li><b>visible</b>: the consumer's receive time minus the send time: what a downstream
 *       reader sees, including the exactly-once commit (interval 200 ms) that makes it visible;</li>
 *   <li><b>append</b>: the alert record's broker append time ({@code LogAppendTime}, set on the
 *       alerts topic by the benchmark) minus the send time: processing without commit visibility.</li>
 * </ul>
 * Both clocks are this JVM's wall clock (the broker runs in the same process), in milliseconds.
 */
final class AlertLatencies implements AutoCloseable {
    /** A matched alert: when its observation was sent, and its two latencies in ms. */
    record Sample(long sentAt, long visibleMillis, long appendMillis) {
    }

    /**
     * Latency figures of the alerts whose observations were sent in a window. Alerts still missing
     * at the end count as later than any that arrived: a percentile that falls on them is
     * {@link #LATE}, so a detector that falls behind cannot look fast by leaving out its slowest alerts.
     */
    record Stats(int count, int missing, long p50, long p90, long p99, long max, long appendP50, long appendP99) {
        String visible() {
            return count + missing == 0 ? "-" : format(p50) + "/" + format(p90) + "/" + format(p99) + "/" + format(max);
        }

        static String format(long millis) {
            return millis == LATE ? "late" : Long.toString(millis);
        }
    }

    /** A percentile that falls on an alert that had not arrived when the run ended. */
    static final long LATE = Long.MAX_VALUE;

    private final Map<String, Long> expected = new ConcurrentHashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final AtomicLong unmatched = new AtomicLong();
    private final KafkaConsumer<String, Alert> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    AlertLatencies(Map<String, Object> clientProperties) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-alert-reader");
        // A fetch waits at most this long for data; an upper bound on what polling adds to "visible".
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        this.consumer = new KafkaConsumer<>(props, Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer());
        List<TopicPartition> partitions = IntStream.range(0, Topics.ALERTS.defaultPartitions())
                .mapToObj(p -> new TopicPartition(Topics.ALERTS.name(), p)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::run, "bench-alert-reader");
        thread.setDaemon(true);
    }

    AlertLatencies start() {
        thread.start();
        return this;
    }

    void expect(String cluster, String node, long observedAt, long sentAt) {
        expected.put(key(cluster, node, observedAt), sentAt);
    }

    /**
     * The event time of the observation that made the rule emit this alert: the probe replicas step
     * 1 s per observation and the holds are 1 s, so a FIRING alert comes from the observation one
     * step after its {@code startsAt}, a RESOLVED one from the step after its {@code endsAt}.
     */
    static long triggeredBy(Alert alert) {
        java.time.Instant edge = alert.getStatus() == dev.drpilot.events.AlertStatus.RESOLVED ? alert.getEndsAt() : alert.getStartsAt();
        return edge.toEpochMilli() + ObservationLoad.STEP_MILLIS;
    }

    private static String key(String cluster, String node, long observedAt) {
        return cluster + '/' + node + '@' + observedAt;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, Alert> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    Alert alert = record.value();
                    Long sentAt = alert == null ? null
                            : expected.remove(key(alert.getCluster(), alert.getNode(), triggeredBy(alert)));
                    if (sentAt == null) {
                        unmatched.incrementAndGet();
                        continue;
                    }
                    synchronized (samples) {
                        samples.add(new Sample(sentAt, now - sentAt, record.timestamp() - sentAt));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    /** Triggering observations sent in [from, to) whose alert has not arrived yet. */
    int missing(long from, long to) {
        return (int) expected.values().stream().filter(sentAt -> sentAt >= from && sentAt < to).count();
    }

    long unmatched() {
        return unmatched.get();
    }

    Stats stats(long from, long to) {
        List<Sample> window;
        synchronized (samples) {
            window = samples.stream().filter(s -> s.sentAt() >= from && s.sentAt() < to).toList();
        }
        int missing = missing(from, to);
        long[] visible = LongStream.concat(window.stream().mapToLong(Sample::visibleMillis), LongStream.generate(() -> LATE).limit(missing))
                .sorted().toArray();
        long[] append = LongStream.concat(window.stream().mapToLong(Sample::appendMillis), LongStream.generate(() -> LATE).limit(missing))
                .sorted().toArray();
        return new Stats(window.size(), missing, percentile(visible, 50), percentile(visible, 90),
                percentile(visible, 99), visible.length == 0 ? 0 : visible[visible.length - 1],
                percentile(append, 50), percentile(append, 99));
    }

    /** Nearest-rank percentile of sorted values; 0 when there are none. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close();
    }
}
