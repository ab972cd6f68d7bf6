package dev.drpilot.failover;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Operators' instructions to the failover actuator, on the compacted topic
 * {@code drpilot.failover.control}: {@code pause/<cluster>} (paused or resumed: the newest
 * record wins) and {@code approve/<incident>}. Every instruction is also written to
 * {@code drpilot.actions}, so the audit trail says who paused, resumed or approved what, and when.
 * The topic is small and read whole each time, up to the end offsets captured when the read began — or not at all
 * ({@link ReadIncompleteException}): no state to get out of date, and no pause missed because a read gave up half-way.
 */
public final class OperatorControls {
    static final String READER = "drpilot-failover-controls";
    // Stands for the newest instruction of a key that could not be read: a pause that counts, an approval that does not.
    private static final String UNREADABLE = "unreadable";

    /** The key prefixes of the control topic: {@code pause/<cluster>} and {@code approve/<incident>} (read by drpilot status too). */
    public static final String PAUSE = "pause/";
    public static final String APPROVE = "approve/";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> consumerProperties;
    private final DeadLetters deadLetters;
    private final TopicReader reader;
    private final Deserializer<ActionRecord> instructions = Topics.FAILOVER_CONTROL.valueSerde().deserializer();

    public OperatorControls(Map<String, Object> kafkaClientProperties, DeadLetters deadLetters) {
        this(kafkaClientProperties, deadLetters, READ_TIMEOUT);
    }

    /** @param readTimeout the most one read of the topic may take before it fails */
    OperatorControls(Map<String, Object> kafkaClientProperties, DeadLetters deadLetters, Duration readTimeout) {
        this.reader = new TopicReader(readTimeout);
        this.deadLetters = deadLetters;
        this.consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    /**
     * The operators' instructions as they stand now, read once up to the end offsets: one read answers every question
     * of one decision (pause, order), instead of one read of the whole topic per question.
     */
    public Instructions read() throws AuditLog.AuditException, ReadIncompleteException {
        return new Instructions(latest());
    }

    /** See {@link Instructions#pause}. */
    public Optional<ActionRecord> pause(String cluster) throws AuditLog.AuditException, ReadIncompleteException {
        return read().pause(cluster);
    }

    /** See {@link Instructions#approval}. */
    public Optional<ActionRecord> approval(String incidentId) throws AuditLog.AuditException, ReadIncompleteException {
        return read().approval(incidentId);
    }

    /** See {@link Instructions#order}. */
    public Optional<ActionRecord> order(String incidentId) throws AuditLog.AuditException, ReadIncompleteException {
        return read().order(incidentId);
    }

    /** The newest instruction per key, as one read of the control topic found them. */
    public static final class Instructions {
        private final Map<String, ActionRecord> latest;

        private Instructions(Map<String, ActionRecord> latest) {
            this.latest = latest;
        }

        /**
         * The operator's pause of this cluster, if it is paused. Fails closed: when the newest pause or resume of the
         * cluster cannot be read, the cluster counts as paused (until a new pause or resume replaces the record).
         */
        public Optional<ActionRecord> pause(String cluster) {
            return Optional.ofNullable(latest.get(pauseKey(cluster)))
                    .filter(record -> record.getName().equals("pause") || record.getName().equals(UNREADABLE));
        }

        /** The operator's approval of this incident, if given; an approval that cannot be read approves nothing. */
        public Optional<ActionRecord> approval(String incidentId) {
            return Optional.ofNullable(latest.get(approveKey(incidentId))).filter(record -> !record.getName().equals(UNREADABLE));
        }

        /**
         * The operator's order of this incident (a switchover, a forced failover), if given: the countersignature that
         * makes such a command count, since only the operator principal may write this topic. An unreadable order
         * orders nothing.
         */
        public Optional<ActionRecord> order(String incidentId) {
            return Optional.ofNullable(latest.get(orderKey(incidentId))).filter(record -> !record.getName().equals(UNREADABLE));
        }
    }

    /**
     * The newest instruction per key, read up to the end offsets captured when the read began; an unreadable one is
     * dead-lettered and stands as an {@code unreadable} record.
     *
     * @throws ReadIncompleteException the topic could not be read to that end within the timeout: a pause could be missed
     */
    Map<String, ActionRecord> latest() throws AuditLog.AuditException, ReadIncompleteException {
        Map<String, ActionRecord> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            reader.read(consumer, Topics.FAILOVER_CONTROL.name(), TopicReader.Starts.beginning(), record -> accept(record, latest));
        }
        return latest;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record, Map<String, ActionRecord> latest) throws AuditLog.AuditException {
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        ActionRecord instruction;
        try {
            instruction = instructions.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetters.send(record, READER, e, key.startsWith(PAUSE) ? Optional.of(key.substring(PAUSE.length())) : Optional.empty());
            latest.put(key, unreadable(record, e));
            return;
        }
        if (instruction == null) {
            latest.remove(key);
        } else {
            latest.put(key, instruction);
        }
    }

    private static ActionRecord unreadable(ConsumerRecord<byte[], byte[]> record, Exception reason) {
        Instant at = Instant.ofEpochMilli(record.timestamp());
        return ActionRecord.newBuilder().setActionId(DeadLetters.incident(record)).setKind(ActionKind.OPERATOR).setName(UNREADABLE)
                .setStatus(ActionStatus.FAILED).setStartedAt(at).setFinishedAt(at)
                .setDetail("the newest instruction " + DeadLetters.incident(record) + " is unreadable (" + reason + ");"
                        + " write a new one (drpilot failover pause|resume) to replace it")
                .build();
    }

    static String pauseKey(String cluster) {
        return PAUSE + cluster;
    }

    static String orderKey(String incidentId) {
        return "order/" + incidentId;
    }

    static String approveKey(String incidentId) {
        return APPROVE + incidentId;
    }

    /** Writes operators' instructions: to the control topic and to the audit trail, waiting for both. */
    public static final class Writer {
        private final Producer<String, ActionRecord> producer;
        private final Clock clock;
        private final String principal;

        public Writer(Producer<String, ActionRecord> producer, Clock clock) {
            this(producer, clock, "anonymous");
        }

        /** {@code principal}: the Kafka principal the producer authenticates as, recorded beside the claimed name. */
        public Writer(Producer<String, ActionRecord> producer, Clock clock, String principal) {
            this.producer = producer;
            this.clock = clock;
            this.principal = principal;
        }

        public ActionRecord pause(String cluster, String who, String reason) throws Exception {
            return write(pauseKey(cluster), record("pause", cluster, null, who, "failover of " + cluster + " paused by " + who
                    + (reason == null ? "" : ": " + reason)));
        }

        public ActionRecord resume(String cluster, String who) throws Exception {
            return write(pauseKey(cluster), record("resume", cluster, null, who, "failover of " + cluster + " resumed by " + who));
        }

        /**
         * The order that makes an operator's switchover or forced command of {@code incidentId} count; written before the
         * command. Its audit record names the incident in an attribute, not as its incident id: it is not a step of the
         * failover, and the executor takes any record of an incident for a failover under way.
         */
        public ActionRecord order(String incidentId, String cluster, String who, String detail) throws Exception {
            ActionRecord order = record("order", cluster, null, who, detail);
            order.setAttributes(Map.of("by", who, "principal", principal, "incident", incidentId));
            return write(orderKey(incidentId), order);
        }

        public ActionRecord approve(String incidentId, String who) throws Exception {
            return write(approveKey(incidentId), record("approve", null, incidentId, who, "failover " + incidentId + " approved by " + who));
        }

        private ActionRecord record(String name, String cluster, String incidentId, String who, String detail) {
            return ActionRecord.newBuilder().setActionId("operator/" + name + "/" + (incidentId == null ? cluster : incidentId) + "/" + clock.millis())
                    .setKind(ActionKind.OPERATOR).setName(name).setStatus(ActionStatus.SUCCEEDED).setCluster(cluster).setIncidentId(incidentId)
                    .setStartedAt(clock.instant()).setFinishedAt(clock.instant()).setDetail(detail).setAttributes(Map.of("by", who, "principal", principal)).build();
        }

        private ActionRecord write(String key, ActionRecord record) throws Exception {
            producer.send(new ProducerRecord<>(Topics.FAILOVER_CONTROL.name(), key, record)).get(30, TimeUnit.SECONDS);
            String auditKey = record.getIncidentId() == null ? record.getCluster() : record.getIncidentId();
            producer.send(new ProducerRecord<>(Topics.ACTIONS.name(), auditKey, record)).get(30, TimeUnit.SECONDS);
            return record;
        }
    }
}
