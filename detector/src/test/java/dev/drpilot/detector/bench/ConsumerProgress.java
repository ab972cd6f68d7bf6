package dev.drpilot.detector.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples, once a second, how far the detector got: the offsets its consumer group committed on
 * the input topic (with exactly-once these are committed in the same transaction as the alerts
 * and state changes, so they count records processed for good), the input topic's end offsets,
 * the end offsets of the rule's changelog, and how many records the load generator sent.
 */
final class ConsumerProgress implements AutoCloseable {
    /** One sample; offsets are sums over partitions. */
    record Sample(long nanos, long committed, long sent, long inputEnd, long changelogEnd) {
    }

    private final Admin admin;
    private final String groupId;
    private final List<TopicPartition> input;
    private final List<TopicPartition> changelog;
    private final LongSupplier sent;
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-progress");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService feedback = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-progress-feedback");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long committed;

    ConsumerProgress(Admin admin, String groupId, List<TopicPartition> input, List<TopicPartition> changelog, LongSupplier sent) {
        this.admin = admin;
        this.groupId = groupId;
        this.input = input;
        this.changelog = changelog;
        this.sent = sent;
    }

    ConsumerProgress start() {
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        feedback.scheduleWithFixedDelay(this::refreshCommitted, 0, 100, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The latest committed total (refreshed every 100 ms), for the {@code max} producer's back-pressure. */
    long committed() {
        return committed;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    private void refreshCommitted() {
        try {
            committed = committedTotal();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long committedTotal() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        return input.stream().map(offsets::get).filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private void sample() {
        try {
            long now = System.nanoTime();
            long sentNow = sent.getAsLong();
            long total = committedTotal();
            long inputEnd = endOffsets(input);
            long changelogEnd = endOffsets(changelog);
            synchronized (samples) {
                samples.add(new Sample(now, total, sentNow, inputEnd, changelogEnd));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // a missed sample shows as a longer interval in the per-second rates
        }
    }

    private long endOffsets(List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
        return result.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        feedback.shutdownNow();
    }
}
