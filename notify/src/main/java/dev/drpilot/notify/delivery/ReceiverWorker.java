package dev.drpilot.notify.delivery;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.metrics.DeliveryMetrics;
import dev.drpilot.notify.routing.AlertRouter;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Delivers the alerts routed to one receiver, on its own thread and with its own consumer group,
 * so a receiver that is down holds back only its own alerts.
 *
 * <p>At-least-once and in order: records are handled one at a time in offset order; a record's
 * offset is committed only after it was delivered, filtered out, or its final failure was
 * recorded on the audit topic. While a retriable failure waits for its backoff, the consumer is
 * paused (it keeps polling, so it stays in the group) and the undelivered records stay queued
 * here; the same record is tried again when the wait is over. Should the partitions move to
 * another instance meanwhile, it starts from the committed offset, so nothing is skipped.
 */
public final class ReceiverWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReceiverWorker.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration WAITING_POLL = Duration.ofMillis(200);

    /** How the worker reaches Kafka and the rest of the actuator. */
    public record Wiring(Consumer<byte[], byte[]> consumer, String alertsTopic, String groupId, Deserializer<Alert> alerts,
                         AlertRouter router, DeliveryRecorder recorder, DeliveryMetrics metrics, Clock clock) {
    }

    /**
     * @param retryPolicy       backoff and total budget of a retriable failure
     * @param renotifyInterval  an identical FIRING is not sent again within this
     * @param newGroupLookback  a group with no committed offset starts this far back, not at the
     *                          beginning of a topic that keeps alerts for months
     */
    public record Settings(RetryPolicy retryPolicy, Duration renotifyInterval, Duration newGroupLookback) {
    }

    private final String receiver;
    private final AlertSink sink;
    private final Wiring wiring;
    private final Settings settings;
    private final RenotifyFilter renotify;
    private final Consumer<byte[], byte[]> consumer;
    private final Deque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;

    // The retry state of the record at the head of the queue.
    private int retries;
    private Instant firstAttempt;
    private Instant nextAttemptAt = Instant.MIN;

    public ReceiverWorker(String receiver, AlertSink sink, Wiring wiring, Settings settings) {
        this.receiver = receiver;
        this.sink = sink;
        this.wiring = wiring;
        this.settings = settings;
        this.renotify = new RenotifyFilter(settings.renotifyInterval());
        this.consumer = wiring.consumer();
        this.thread = new Thread(this::run, "drpilot-receiver-" + receiver);
        thread.setDaemon(true);
    }

    public synchronized ReceiverWorker start() {
        thread.start();
        return this;
    }

    public String receiver() {
        return receiver;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(wiring.alertsTopic()), new Rebalance());
            log.info("[receiver={}] delivering from {} as consumer group {}", receiver, wiring.alertsTopic(), wiring.groupId());
            while (running) {
                try {
                    step();
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    // A commit or audit write failed (rebalance, broker unreachable): start again
                    // from what is committed, so the outcome of every record is still recorded.
                    log.error("[receiver={}] delivery loop failed, resuming from the committed offsets: {}", receiver, e.toString(), e);
                    rewindToCommitted();
                    pause(WAITING_POLL);
                }
            }
        } finally {
            consumer.close();
            sink.close();
            log.info("[receiver={}] stopped", receiver);
        }
    }

    private void step() {
        Instant now = wiring.clock().instant();
        Duration timeout = pending.isEmpty() ? IDLE_POLL : clamp(Duration.between(now, nextAttemptAt));
        consumer.poll(timeout).forEach(pending::add);
        while (running && !pending.isEmpty() && !wiring.clock().instant().isBefore(nextAttemptAt)) {
            ConsumerRecord<byte[], byte[]> head = pending.peek();
            if (!handle(head)) {
                break;
            }
            pending.poll();
            consumer.commitSync(Map.of(new TopicPartition(head.topic(), head.partition()), new OffsetAndMetadata(head.offset() + 1)));
            resetRetryState();
        }
        if (pending.isEmpty()) {
            consumer.resume(consumer.paused());
        } else {
            consumer.pause(consumer.assignment());
        }
    }

    /** @return true when the record is done with (its offset may be committed), false to try it again later */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) {
        Alert alert;
        try {
            alert = wiring.alerts().deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.error("[receiver={} offset={}-{}@{}] unreadable alert record, sent to the dead-letter topic: {}", receiver,
                    record.topic(), record.partition(), record.offset(), e.toString());
            wiring.recorder().deadLetter(record, wiring.groupId(), e);
            wiring.metrics().unreadable(receiver);
            return true;
        }
        if (alert == null || !wiring.router().routesTo(alert, receiver)) {
            log.debug("[receiver={} offset={}@{}] not routed here", receiver, record.partition(), record.offset());
            return true;
        }
        Instant now = wiring.clock().instant();
        if (!renotify.shouldSend(alert, now)) {
            log.debug("[receiver={} fingerprint={}] already notified within {}, not sent again", receiver, alert.getFingerprint(),
                    settings.renotifyInterval());
            wiring.metrics().suppressed(receiver);
            return true;
        }
        if (firstAttempt == null) {
            firstAttempt = now;
        }
        try {
            sink.deliver(alert);
        } catch (DeliveryException e) {
            return failed(record, alert, e);
        } catch (RuntimeException e) {
            // A bug or an alert the sink cannot express: trying again would fail the same way.
            return failed(record, alert, DeliveryException.fatal("unexpected " + e, e));
        }
        Instant delivered = wiring.clock().instant();
        Duration latency = Duration.between(alert.getEmittedAt(), delivered);
        Map<String, String> attributes = attributes(record, alert);
        attributes.put("latencyMs", Long.toString(latency.toMillis()));
        wiring.recorder().record(action(record, alert, ActionStatus.SUCCEEDED, "delivered " + alert.getStatus(), attributes, delivered),
                auditKey(alert));
        // Only once recorded: should the record fail, the alert is delivered again (the receiver's
        // de-duplication absorbs it) rather than filtered out with no audit record.
        renotify.sent(alert, delivered);
        wiring.metrics().delivered(receiver, latency);
        log.info("[receiver={} fingerprint={}] delivered {} after {} attempt(s), {} ms after it was emitted", receiver,
                alert.getFingerprint(), alert.getStatus(), retries + 1, latency.toMillis());
        return true;
    }

    private boolean failed(ConsumerRecord<byte[], byte[]> record, Alert alert, DeliveryException e) {
        Instant now = wiring.clock().instant();
        int maxRetries = settings.retryPolicy().maxRetries();
        if (e.retriable() && retries < maxRetries) {
            retries++;
            Duration wait = settings.retryPolicy().backoff(retries);
            nextAttemptAt = now.plus(wait);
            wiring.metrics().retried(receiver);
            log.warn("[receiver={} fingerprint={}] delivery failed: {}; retry {} of {} in {} ms", receiver, alert.getFingerprint(),
                    e.getMessage(), retries, maxRetries, wait.toMillis());
            return false;
        }
        String reason = e.retriable() ? "retries_exhausted" : "rejected";
        String detail = e.retriable()
                ? "gave up after " + retries + " retries over " + Duration.between(firstAttempt, now).toSeconds() + " s: " + e.getMessage()
                : "rejected, not retried: " + e.getMessage();
        log.error("[receiver={} fingerprint={}] delivery of {} failed finally ({}): {}", receiver, alert.getFingerprint(),
                alert.getStatus(), reason, detail);
        Map<String, String> attributes = attributes(record, alert);
        attributes.put("reason", reason);
        if (e.httpStatus() > 0) {
            attributes.put("httpStatus", Integer.toString(e.httpStatus()));
        }
        wiring.recorder().record(action(record, alert, ActionStatus.FAILED, detail, attributes, now), auditKey(alert));
        wiring.metrics().failed(receiver, reason);
        return true;
    }

    private Map<String, String> attributes(ConsumerRecord<byte[], byte[]> record, Alert alert) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("attempts", Integer.toString(retries + 1));
        attributes.put("alertStatus", alert.getStatus().name());
        attributes.put("idempotencyKey", IdempotencyKey.of(alert));
        attributes.put("offset", record.partition() + ":" + record.offset());
        return attributes;
    }

    private ActionRecord action(ConsumerRecord<byte[], byte[]> record, Alert alert, ActionStatus status, String detail,
                                Map<String, String> attributes, Instant finishedAt) {
        return ActionRecord.newBuilder()
                // The same record delivered twice (at-least-once) yields the same action id.
                .setActionId("delivery/" + receiver + "/" + IdempotencyKey.of(alert) + "@" + record.partition() + ":" + record.offset())
                .setKind(ActionKind.ALERT_DELIVERY)
                .setName(receiver)
                .setStatus(status)
                .setIncidentId(alert.getIncidentId())
                .setCluster(alert.getCluster())
                .setFingerprint(alert.getFingerprint())
                .setStartedAt(Objects.requireNonNullElse(firstAttempt, finishedAt))
                .setFinishedAt(finishedAt)
                .setDetail(detail)
                .setAttributes(new HashMap<>(attributes))
                .build();
    }

    private static String auditKey(Alert alert) {
        if (alert.getIncidentId() != null) {
            return alert.getIncidentId();
        }
        return alert.getCluster() != null ? alert.getCluster() : alert.getComponent();
    }

    private void resetRetryState() {
        retries = 0;
        firstAttempt = null;
        nextAttemptAt = Instant.MIN;
    }

    private void rewindToCommitted() {
        pending.clear();
        resetRetryState();
        try {
            Set<TopicPartition> assignment = consumer.assignment();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assignment);
            startPositions(assignment, committed);
        } catch (RuntimeException e) {
            log.warn("[receiver={}] could not rewind to the committed offsets yet: {}", receiver, e.toString());
        }
    }

    private void startPositions(Collection<TopicPartition> partitions, Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<TopicPartition, Long> fresh = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset);
            } else {
                fresh.put(partition, wiring.clock().instant().minus(settings.newGroupLookback()).toEpochMilli());
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        // End offsets first: an alert written between the two look-ups then lies at or after the
        // end offset and is still delivered; the other order could skip it.
        Map<TopicPartition, Long> ends = consumer.endOffsets(fresh.keySet());
        Map<TopicPartition, OffsetAndTimestamp> byTime = consumer.offsetsForTimes(fresh);
        fresh.keySet().forEach(partition -> {
            OffsetAndTimestamp found = byTime.get(partition);
            long start = found != null ? found.offset() : ends.get(partition);
            log.debug("[receiver={}] new consumer group starts {} at offset {}", receiver, partition, start);
            consumer.seek(partition, start);
        });
    }

    private static Duration clamp(Duration wait) {
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(WAITING_POLL) > 0 ? WAITING_POLL : wait;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                startPositions(partitions, consumer.committed(Set.copyOf(partitions)));
            }
        }

        // Records of partitions no longer ours are someone else's now; their owner starts from the committed offset.
        private void drop(Collection<TopicPartition> partitions) {
            if (pending.removeIf(record -> partitions.contains(new TopicPartition(record.topic(), record.partition())))) {
                resetRetryState();
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            sink.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("receiver " + receiver + " did not stop within 30 s");
        }
    }
}
