package dev.drpilot.notify.delivery;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.notify.metrics.DeliveryMetrics;
import dev.drpilot.notify.silence.Mute;
import dev.drpilot.notify.silence.Muting;
import dev.drpilot.notify.routing.AlertRouter;
import dev.drpilot.runtime.Attempt;
import dev.drpilot.runtime.Backoff;
import dev.drpilot.runtime.CommitPolicy;
import dev.drpilot.runtime.ConsumerLoop;
import dev.drpilot.runtime.ErrorPolicy;
import dev.drpilot.runtime.Outcome;
import dev.drpilot.runtime.Seek;
import dev.drpilot.runtime.Worker;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers the alerts routed to one receiver, on its own thread and with its own consumer group,
 * so a receiver that is down holds back only its own alerts.
 *
 * <p>At-least-once, in order per alert: each alert (fingerprint, the topic's key) has its own lane of the
 * {@link ConsumerLoop}'s keyed mode, where its records are handled one at a time in offset order; a partition's offset
 * is committed only up to its first record not yet delivered, filtered out, or recorded as finally failed. While a
 * retriable failure waits for its backoff ({@link Outcome#retryAt}), that alert's later records wait behind it, and the
 * receiver's other alerts go out meanwhile. Should the partitions move to another instance, it starts from the
 * committed offset, so nothing is skipped (an alert delivered after that offset is delivered again: the receivers'
 * de-duplication absorbs it).
 *
 * <p>Silences, maintenance windows and inhibition ({@link Muting}): a FIRING they match is held at the head of its alert's
 * lane (recorded once as SKIPPED on the audit trail and counted) and looked at again when its mute ends, or every
 * {@code recheck}; delivered then if the alert still fires, dropped if it resolved meanwhile, and then its RESOLVED is
 * not delivered either (a receiver never hears of an alert it was never told about). A RESOLVED whose FIRING was
 * delivered is delivered, silence or not: closing a page is never noise. Held records keep their partition's committed
 * offset back, so an actuator restarted meanwhile holds them again rather than losing them.
 */
public final class ReceiverWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReceiverWorker.class);
    // A commit or an audit write that failed (rebalance, broker unreachable) is tried again, the record with it, for as
    // long as it takes: the outcome of every record must still be recorded.
    private static final ErrorPolicy LOOP_ERRORS = ErrorPolicy.retry(ErrorPolicy.UNLIMITED, Backoff.constant(Duration.ofMillis(200)),
            error -> error instanceof RuntimeException);

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
    private final ConsumerLoop<byte[], byte[]> loop;
    private final Muting muting;
    // Records held back that were already recorded and counted as such (partition:offset), and when each held record's
    // mute ended: its delivery's retry budget counts from then, not from when it was first held.
    private final Set<String> recordedHeld = ConcurrentHashMap.newKeySet();
    private final Map<String, Attempt> releasedAt = new ConcurrentHashMap<>();
    // Alerts whose FIRING was held back and never delivered, with what held it: their RESOLVED is not delivered either.
    private final Map<String, Mute.Kind> withheld = new ConcurrentHashMap<>();

    public ReceiverWorker(String receiver, AlertSink sink, Wiring wiring, Settings settings) {
        this(receiver, sink, wiring, settings, Muting.NONE);
    }

    /** @param muting silences, maintenance windows and inhibition rules, asked before each delivery */
    public ReceiverWorker(String receiver, AlertSink sink, Wiring wiring, Settings settings, Muting muting) {
        this.muting = muting;
        this.receiver = receiver;
        this.sink = sink;
        this.wiring = wiring;
        this.settings = settings;
        this.renotify = new RenotifyFilter(settings.renotifyInterval());
        this.loop = ConsumerLoop.builder("drpilot-receiver-" + receiver, wiring.consumer())
                .subscribe(List.of(wiring.alertsTopic()), this::startPositions, CommitPolicy.AFTER_EACH_RECORD)
                // One lane per alert (the topic's key is the fingerprint): an alert being retried holds back only itself,
                // and one alert's FIRING and RESOLVED still go out in order.
                .handlerPerKey(ReceiverWorker::laneOf, (record, attempt, stopping) -> handleWithLogContext(record, attempt))
                .errors(LOOP_ERRORS)
                .clock(wiring.clock())
                .onStop(() -> {
                    sink.close();
                    log.info("[receiver={}] stopped", receiver);
                })
                .whenDead("its alerts are NOT delivered")
                .build();
    }

    public ReceiverWorker start() {
        loop.start();
        log.info("[receiver={}] delivering from {} as consumer group {}", receiver, wiring.alertsTopic(), wiring.groupId());
        return this;
    }

    public String receiver() {
        return receiver;
    }

    /** Its consumer loop, for the health endpoint. */
    public Worker worker() {
        return loop;
    }

    /** {@link #handle} with the receiver, and the alert's fingerprint, cluster and incident once known, in the log's MDC. */
    private Outcome handleWithLogContext(ConsumerRecord<byte[], byte[]> record, Attempt attempt) {
        MDC.put("receiver", receiver);
        try {
            return handle(record, attempt);
        } finally {
            MDC.remove("receiver");
            MDC.remove("fingerprint");
            MDC.remove("cluster");
            MDC.remove("incident");
        }
    }

    /** Done when the record was delivered, filtered out or its final failure recorded: then its offset may be committed. */
    private Outcome handle(ConsumerRecord<byte[], byte[]> record, Attempt attempt) {
        Alert alert;
        try {
            alert = wiring.alerts().deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.error("[receiver={} offset={}-{}@{}] unreadable alert record, sent to the dead-letter topic: {}", receiver,
                    record.topic(), record.partition(), record.offset(), e.toString());
            wiring.recorder().deadLetter(record, wiring.groupId(), e);
            wiring.metrics().unreadable(receiver);
            return Outcome.done();
        }
        if (alert != null) {
            MDC.put("fingerprint", alert.getFingerprint());
            putIfKnown("cluster", alert.getCluster());
            putIfKnown("incident", alert.getIncidentId());
        }
        if (alert == null || !wiring.router().routesTo(alert, receiver)) {
            log.debug("[receiver={} offset={}@{}] not routed here", receiver, record.partition(), record.offset());
            return Outcome.done();
        }
        Instant now = wiring.clock().instant();
        Optional<Outcome> muted = muted(record, alert, attempt, now);
        if (muted.isPresent()) {
            return muted.get();
        }
        if (releasedAt.containsKey(recordId(record))) {
            attempt = sinceRelease(record, attempt);
        }
        if (!renotify.shouldSend(alert, now)) {
            log.debug("[receiver={} fingerprint={}] already notified within {}, not sent again", receiver, alert.getFingerprint(),
                    settings.renotifyInterval());
            wiring.metrics().suppressed(receiver);
            return Outcome.done();
        }
        try {
            sink.deliver(alert);
        } catch (DeliveryException e) {
            return failed(record, alert, attempt, e);
        } catch (RuntimeException e) {
            // A bug or an alert the sink cannot express: trying again would fail the same way.
            return failed(record, alert, attempt, DeliveryException.fatal("unexpected " + e, e));
        }
        Instant delivered = wiring.clock().instant();
        Duration latency = Duration.between(alert.getEmittedAt(), delivered);
        Map<String, String> attributes = attributes(record, alert, attempt);
        attributes.put("latencyMs", Long.toString(latency.toMillis()));
        wiring.recorder().record(action(record, alert, attempt, ActionStatus.SUCCEEDED, "delivered " + alert.getStatus(), attributes,
                delivered), auditKey(alert));
        // Only once recorded: should the record fail, the alert is delivered again (the receiver's
        // de-duplication absorbs it) rather than filtered out with no audit record.
        renotify.sent(alert, delivered);
        wiring.metrics().delivered(receiver, latency);
        releasedAt.remove(recordId(record));
        if (alert.getStatus() == AlertStatus.FIRING) {
            withheld.remove(alert.getFingerprint());
        }
        log.info("[receiver={} fingerprint={}] delivered {} after {} attempt(s), {} ms after it was emitted", receiver,
                alert.getFingerprint(), alert.getStatus(), attempt.number(), latency.toMillis());
        return Outcome.done();
    }

    /**
     * Empty when the record is to be delivered now; else what to do with it: hold it (look again later), or drop it (a
     * FIRING that resolved while held, a RESOLVED whose FIRING was held back).
     */
    private Optional<Outcome> muted(ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt, Instant now) {
        String id = recordId(record);
        if (alert.getStatus() != AlertStatus.FIRING) {
            Mute.Kind heldBy = withheld.remove(alert.getFingerprint());
            if (heldBy == null) {
                return Optional.empty();
            }
            skipped(record, alert, attempt, heldBy, "RESOLVED not delivered: its FIRING was held back (" + heldBy.label() + ") and never delivered", now);
            return Optional.of(Outcome.done());
        }
        Optional<Mute> mute = muting.muteOf(alert, now);
        if (mute.isEmpty()) {
            if (recordedHeld.remove(id)) {
                if (!muting.stillFiring(alert)) {
                    return Optional.of(resolvedWhileHeld(record, alert, attempt, withheld.getOrDefault(alert.getFingerprint(), Mute.Kind.SILENCE), now));
                }
                // Released: its delivery's retries and budget count from now.
                releasedAt.put(id, new Attempt(attempt.number(), now));
                log.info("[receiver={} fingerprint={}] no longer silenced and still firing: delivering it now", receiver, alert.getFingerprint());
            }
            return Optional.empty();
        }
        if (!muting.stillFiring(alert)) {
            recordedHeld.remove(id);
            return Optional.of(resolvedWhileHeld(record, alert, attempt, mute.get().kind(), now));
        }
        if (recordedHeld.add(id)) {
            if (!renotify.wasSent(alert.getFingerprint())) {
                withheld.put(alert.getFingerprint(), mute.get().kind());
            }
            skipped(record, alert, attempt, mute.get().kind(), "FIRING held back, not delivered: " + mute.get().text(), now);
            log.info("[receiver={} fingerprint={}] held back: {}", receiver, alert.getFingerprint(), mute.get().text());
        }
        return Optional.of(Outcome.retryAt(muting.nextLook(mute.get(), now)));
    }

    /** A held FIRING whose alert resolved meanwhile: not delivered, and (unless an earlier FIRING was) neither is its RESOLVED. */
    private Outcome resolvedWhileHeld(ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt, Mute.Kind heldBy, Instant now) {
        log.info("[receiver={} fingerprint={}] resolved while held back: not delivered", receiver, alert.getFingerprint());
        if (!renotify.wasSent(alert.getFingerprint())) {
            withheld.put(alert.getFingerprint(), heldBy);
        }
        Map<String, String> attributes = attributes(record, alert, attempt);
        attributes.put("silencedBy", heldBy.label());
        wiring.recorder().record(action("silenced/", record, alert, attempt, ActionStatus.SKIPPED,
                "FIRING not delivered: the alert resolved while it was held back", attributes, now), auditKey(alert));
        return Outcome.done();
    }

    private void skipped(ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt, Mute.Kind kind, String detail, Instant now) {
        Map<String, String> attributes = attributes(record, alert, attempt);
        attributes.put("silencedBy", kind.label());
        wiring.recorder().record(action("silenced/", record, alert, attempt, ActionStatus.SKIPPED, detail, attributes, now), auditKey(alert));
        wiring.metrics().silenced(receiver, kind.label());
    }

    /** The attempt as its delivery counts it: from the moment its mute ended. */
    private Attempt sinceRelease(ConsumerRecord<byte[], byte[]> record, Attempt attempt) {
        Attempt released = releasedAt.get(recordId(record));
        return new Attempt(attempt.number() - released.number() + 1, released.firstAt());
    }

    private static String recordId(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "-" + record.partition() + ":" + record.offset();
    }

    private Outcome failed(ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt, DeliveryException e) {
        Instant now = wiring.clock().instant();
        int maxRetries = settings.retryPolicy().maxRetries();
        int retries = attempt.retries();
        Duration wait = settings.retryPolicy().waitBefore(retries + 1, e.retryAfter(), ThreadLocalRandom.current());
        boolean withinBudget = !now.plus(wait).isAfter(attempt.firstAt().plus(settings.retryPolicy().giveUpAfter()));
        if (e.retriable() && retries < maxRetries && withinBudget) {
            int retry = retries + 1;
            wiring.metrics().retried(receiver);
            log.warn("[receiver={} fingerprint={}] delivery failed: {}; retry {} of {} in {} ms", receiver, alert.getFingerprint(),
                    e.getMessage(), retry, maxRetries, wait.toMillis());
            return Outcome.retryAt(now.plus(wait));
        }
        String reason = e.retriable() ? "retries_exhausted" : "rejected";
        String detail = e.retriable()
                ? "gave up after " + retries + " retries over " + Duration.between(attempt.firstAt(), now).toSeconds() + " s: " + e.getMessage()
                : "rejected, not retried: " + e.getMessage();
        log.error("[receiver={} fingerprint={}] delivery of {} failed finally ({}): {}", receiver, alert.getFingerprint(),
                alert.getStatus(), reason, detail);
        Map<String, String> attributes = attributes(record, alert, attempt);
        attributes.put("reason", reason);
        if (e.httpStatus() > 0) {
            attributes.put("httpStatus", Integer.toString(e.httpStatus()));
        }
        wiring.recorder().record(action(record, alert, attempt, ActionStatus.FAILED, detail, attributes, now), auditKey(alert));
        wiring.metrics().failed(receiver, reason);
        releasedAt.remove(recordId(record));
        return Outcome.done();
    }

    private Map<String, String> attributes(ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("attempts", Integer.toString(attempt.number()));
        attributes.put("alertStatus", alert.getStatus().name());
        // What the detector's delivery-failed rule needs to judge a final failure: what kind of alert was lost.
        attributes.put("alertRule", alert.getRule());
        attributes.put("alertSeverity", alert.getSeverity().name().toLowerCase(Locale.ROOT));
        attributes.put("idempotencyKey", IdempotencyKey.of(alert));
        attributes.put("offset", record.partition() + ":" + record.offset());
        return attributes;
    }

    private ActionRecord action(ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt, ActionStatus status, String detail,
                                Map<String, String> attributes, Instant finishedAt) {
        return action("delivery/", record, alert, attempt, status, detail, attributes, finishedAt);
    }

    private ActionRecord action(String idPrefix, ConsumerRecord<byte[], byte[]> record, Alert alert, Attempt attempt, ActionStatus status,
                                String detail, Map<String, String> attributes, Instant finishedAt) {
        return ActionRecord.newBuilder()
                // The same record delivered twice (at-least-once) yields the same action id.
                .setActionId(idPrefix + receiver + "/" + IdempotencyKey.of(alert) + "@" + record.partition() + ":" + record.offset())
                .setKind(ActionKind.ALERT_DELIVERY)
                .setName(receiver)
                .setStatus(status)
                .setIncidentId(alert.getIncidentId())
                .setCluster(alert.getCluster())
                .setFingerprint(alert.getFingerprint())
                .setStartedAt(attempt.firstAt())
                .setFinishedAt(finishedAt)
                .setDetail(detail)
                .setAttributes(new HashMap<>(attributes))
                .build();
    }

    private static void putIfKnown(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    private static String laneOf(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? "(no key)" : new String(record.key(), StandardCharsets.UTF_8);
    }

    private static String auditKey(Alert alert) {
        if (alert.getIncidentId() != null) {
            return alert.getIncidentId();
        }
        return alert.getCluster() != null ? alert.getCluster() : alert.getComponent();
    }

    /** A partition this group has no committed offset for yet starts {@code newGroupLookback} back. */
    private void startPositions(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
        Seek.committedOrSince(consumer, partitions, wiring.clock().instant().minus(settings.newGroupLookback()))
                .forEach((partition, start) -> log.debug("[receiver={}] new consumer group starts {} at offset {}", receiver, partition, start));
    }

    /** Stops after the record under way; its sink is closed with it. */
    @Override
    public void close() {
        loop.close();
    }
}
