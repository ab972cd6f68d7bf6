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
import org.apache.kafka.common.TopicPartition;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Operators' instructions to the failover actuator, on the compacted topic
 * {@code drpilot.failover.control}: {@code pause/<cluster>} (paused or resumed: the newest
 * record wins) and {@code approve/<incident>}. Every instruction is also written to
 * {@code drpilot.actions}, so the audit trail says who paused, resumed or approved what, and when.
 * The topic is small and read whole each time: no state to get out of date.
 */
public final class OperatorControls {
    private final Map<String, Object> consumerProperties;

    public OperatorControls(Map<String, Object> kafkaClientProperties) {
        this.consumerProperties = new HashMap<>(kafkaClientProperties);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    /** The operator's pause of this cluster, if it is paused. */
    public Optional<ActionRecord> pause(String cluster) {
        return Optional.ofNullable(latest().get(pauseKey(cluster))).filter(record -> record.getName().equals("pause"));
    }

    /** The operator's approval of this incident, if given. */
    public Optional<ActionRecord> approval(String incidentId) {
        return Optional.ofNullable(latest().get(approveKey(incidentId)));
    }

    /** The newest instruction per key. */
    Map<String, ActionRecord> latest() {
        Map<String, ActionRecord> latest = new HashMap<>();
        try (KafkaConsumer<String, ActionRecord> consumer = new KafkaConsumer<>(consumerProperties,
                Topics.FAILOVER_CONTROL.keySerde().deserializer(), Topics.FAILOVER_CONTROL.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.FAILOVER_CONTROL.name(), Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ActionRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        return latest;
    }

    static String pauseKey(String cluster) {
        return "pause/" + cluster;
    }

    static String approveKey(String incidentId) {
        return "approve/" + incidentId;
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
