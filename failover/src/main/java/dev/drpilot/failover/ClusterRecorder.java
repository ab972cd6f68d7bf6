package dev.drpilot.failover;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.schemas.topic.AccessPolicy;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One cluster's failover records on {@code drpilot.actions}, written by the actuator that owns the cluster now: a
 * transactional producer whose id is the cluster's ({@code drpilot-failover-<cluster>}), each record in a transaction of
 * its own, committed when {@link #write} returns. Opening it ({@code initTransactions}) fences every older producer with
 * that id — an actuator that was frozen or cut off and lost the cluster — and aborts the transaction it left open: from
 * then on Kafka refuses that one's records ({@link FencedException}), so it cannot record, and therefore cannot start, a
 * step. Not thread-safe: one runbook at a time writes through it.
 */
public final class ClusterRecorder implements ActionWriter, AutoCloseable {
    /** The transactional ids of the failover's records: this, then the cluster's name. */
    public static final String TRANSACTIONAL_ID_PREFIX = AccessPolicy.FAILOVER_PREFIX + "-";
    /**
     * The longest an open transaction of an actuator killed mid-write holds back the readers of {@code drpilot.actions}
     * (read_committed) before the coordinator aborts it — plus the coordinator's check interval (10 s by default); a restart
     * or another actuator opening the cluster aborts it at once. A write takes milliseconds: this is only about the dead.
     */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<String, ActionRecord> producer;
    private final String cluster;
    private boolean broken;

    private ClusterRecorder(Producer<String, ActionRecord> producer, String cluster) {
        this.producer = producer;
        this.cluster = cluster;
    }

    /**
     * Takes the cluster's records over: any actuator that wrote them before can write them no more.
     *
     * @throws AuditLog.AuditException Kafka could not be reached (or refused the transactional id): nothing was written
     */
    public static ClusterRecorder open(Map<String, Object> kafkaClientProperties, String cluster) throws AuditLog.AuditException {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID_PREFIX + cluster);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
        Producer<String, ActionRecord> producer;
        try {
            producer = new KafkaProducer<>(props, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer());
        } catch (KafkaException e) {
            throw new AuditLog.AuditException("could not make the producer of cluster " + cluster + "'s failover records: " + e, e);
        }
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw new AuditLog.AuditException("could not take over cluster " + cluster + "'s failover records (transactional id "
                    + TRANSACTIONAL_ID_PREFIX + cluster + "): " + e, e);
        }
        return new ClusterRecorder(producer, cluster);
    }

    /**
     * Writes one record in a transaction of its own and returns once it is committed.
     *
     * @throws FencedException         another actuator opened the cluster since: nothing more may be done or written here
     * @throws AuditLog.AuditException not recorded (Kafka unreachable, ...); this recorder writes no more, a new one is opened
     */
    @Override
    public void write(ActionRecord record) throws AuditLog.AuditException {
        if (broken) {
            throw new AuditLog.AuditException("cluster " + cluster + "'s failover records cannot be written here after an earlier failure", null);
        }
        String key = record.getIncidentId() == null ? record.getCluster() : record.getIncidentId();
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.ACTIONS.name(), key, record)).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            producer.commitTransaction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(record, e);
        } catch (ExecutionException e) {
            throw failed(record, e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw failed(record, e);
        }
    }

    /** Whether the error says that a newer producer holds the transactional id. */
    static boolean fenced(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    // A transactional producer that failed mid-transaction is not to be trusted with the next record: the caller stops, and
    // the next command opens a new one (which also aborts whatever this one left open).
    private AuditLog.AuditException failed(ActionRecord record, Throwable cause) {
        broken = true;
        if (fenced(cause)) {
            return new FencedException("another actuator took over cluster " + cluster + " (it opened transactional id "
                    + TRANSACTIONAL_ID_PREFIX + cluster + " after this one): " + record.getActionId() + " was not recorded", cause);
        }
        return new AuditLog.AuditException("could not record " + record.getActionId() + " on " + Topics.ACTIONS.name() + ": " + cause, cause);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
