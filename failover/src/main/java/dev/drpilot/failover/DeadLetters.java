package dev.drpilot.failover;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.schemas.topic.DeadLetter;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the failover cannot read — a failover command or an operator's instruction — so that none is lost silently:
 * each goes to {@code drpilot.deadletter} byte for byte (headers as {@link DeadLetter} names them), is counted, and is
 * recorded on {@code drpilot.actions} as a refused failover of an incident named after the record
 * ({@code deadletter/<topic>-<partition>@<offset>}). The detectors' failover-health rule pages on every refusal, so an
 * unreadable command (a failover someone asked for and nobody carried out) reaches a person without a rule of its own.
 *
 * <p>The control topic is read whole at every look, so the same unreadable record comes by again and again: each one
 * is sent once per process (a restarted actuator sends it once more, under the same incident, which pages no second time).
 */
public final class DeadLetters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    static final String NAME = "deadletter";
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<byte[], byte[]> producer;
    private final AuditLog audit;
    private final Clock clock;
    private final AtomicLong count = new AtomicLong();
    private final Set<String> sent = new HashSet<>();

    public DeadLetters(Producer<byte[], byte[]> producer, AuditLog audit, Clock clock) {
        this.producer = producer;
        this.audit = audit;
        this.clock = clock;
    }

    /** With a producer of its own (acks=all, idempotent), closed with it. */
    public static DeadLetters open(Map<String, Object> kafkaClientProperties, AuditLog audit, Clock clock) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new DeadLetters(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()), audit, clock);
    }

    /**
     * @param reader  who could not read it (the consumer group, or the reader's name), for the headers
     * @param cluster the cluster the record's key names, when it names one: the page is about it
     * @throws AuditLog.AuditException when Kafka did not take the dead letter or its record: the reader tries again later
     */
    public void send(ConsumerRecord<byte[], byte[]> record, String reader, Exception reason, Optional<String> cluster)
            throws AuditLog.AuditException {
        String where = where(record);
        synchronized (sent) {
            if (sent.contains(where)) {
                return;
            }
        }
        log.error("[reader={} record={}] unreadable record, sent to {}: {}", reader, where, Topics.DEAD_LETTER.name(), reason.toString());
        try {
            producer.send(DeadLetter.of(record, Topics.DEAD_LETTER.name(), reader, reason)).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditLog.AuditException("interrupted while dead-lettering " + where, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AuditLog.AuditException("could not dead-letter " + where + " to " + Topics.DEAD_LETTER.name() + ": " + e, e);
        }
        audit.write(page(record, where, reason, cluster));
        synchronized (sent) {
            if (sent.add(where)) {
                count.incrementAndGet();
            }
        }
    }

    /** Records this process sent to the dead-letter topic since it started. */
    public long count() {
        return count.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** The incident a dead letter is recorded under: one per record, the same each time it is sent. */
    static String incident(ConsumerRecord<?, ?> record) {
        return NAME + "/" + where(record);
    }

    private ActionRecord page(ConsumerRecord<byte[], byte[]> record, String where, Exception reason, Optional<String> cluster) {
        Instant now = clock.instant();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("topic", record.topic());
        attributes.put("partition", Integer.toString(record.partition()));
        attributes.put("offset", Long.toString(record.offset()));
        attributes.put("reason", String.valueOf(reason));
        String incident = incident(record);
        return ActionRecord.newBuilder().setActionId(incident).setKind(ActionKind.FAILOVER_REFUSED).setName(NAME)
                .setStatus(ActionStatus.REFUSED).setIncidentId(incident).setCluster(cluster.orElse(null)).setStartedAt(now)
                .setFinishedAt(now).setAttributes(attributes)
                .setDetail("unreadable record " + where + " sent to " + Topics.DEAD_LETTER.name() + " (" + reason + "): "
                        + consequence(record.topic()) + cluster.map(name -> " It names cluster " + name + ".").orElse(""))
                .build();
    }

    private static String consequence(String topic) {
        if (topic.equals(Topics.FAILOVER_COMMANDS.name())) {
            return "a failover command was NOT carried out; check the cluster and fail over by hand (drpilot switchover) if it needs it.";
        }
        if (topic.equals(Topics.AGENT_REPLIES.name())) {
            return "a node agent's reply could not be recorded (unreadable, or keyed for another node than it names); what the agent"
                    + " did (a rejoin) is in its log, and the node's state is to be checked by hand.";
        }
        return "an operator's instruction could not be read; an unreadable pause counts as a pause until a new pause or resume"
                + " replaces it, an unreadable approval approves nothing.";
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
