package dev.drpilot.failover;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cluster's failover records through its transactional producer, on a real broker: whoever opens the cluster last is
 * the only one whose records Kafka takes; a transaction left open by a process that died is aborted when the cluster is
 * opened again, and holds back no reader; and what a record costs, against the plain acks=all producer.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ClusterRecorderIT {
    private static final Logger log = LoggerFactory.getLogger(ClusterRecorderIT.class);
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void topics(EmbeddedKafkaBroker embedded) throws Exception {
        broker = embedded;
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.ACTIONS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    @Test
    void theActuatorThatOpenedTheClusterLastFencesTheOneBeforeIt() throws Exception {
        String cluster = TestNames.unique("fence-txn");
        Instant since = Instant.now().minusSeconds(5);
        try (ClusterRecorder zombie = ClusterRecorder.open(broker.clientProperties(), cluster)) {
            zombie.write(record(cluster, "1-check", ActionStatus.STARTED));
            try (ClusterRecorder owner = ClusterRecorder.open(broker.clientProperties(), cluster)) {
                assertThatThrownBy(() -> zombie.write(record(cluster, "1-check", ActionStatus.SUCCEEDED)))
                        .isInstanceOf(FencedException.class).hasMessageContaining("another actuator took over cluster " + cluster);
                assertThatThrownBy(() -> zombie.write(record(cluster, "2-fence", ActionStatus.STARTED)))
                        .as("nothing more once fenced").isInstanceOf(AuditLog.AuditException.class);
                owner.write(record(cluster, "1-check", ActionStatus.SUCCEEDED));
            }
        }
        assertThat(AuditLog.read(broker.clientProperties(), since, record -> cluster.equals(record.getCluster())))
                .extracting(record -> record.getActionId() + " " + record.getStatus())
                .containsExactly(cluster + "-incident/1-check STARTED", cluster + "-incident/1-check SUCCEEDED");
    }

    @Test
    void aTransactionLeftOpenByADeadActuatorIsAbortedWhenTheClusterIsOpenedAgain() throws Exception {
        String cluster = TestNames.unique("fence-open");
        Instant since = Instant.now().minusSeconds(5);
        // What an actuator killed -9 between send and commit leaves behind.
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ClusterRecorder.TRANSACTIONAL_ID_PREFIX + cluster);
        KafkaProducer<String, ActionRecord> dead = new KafkaProducer<>(props, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer());
        dead.initTransactions();
        dead.beginTransaction();
        dead.send(new ProducerRecord<>(Topics.ACTIONS.name(), cluster, record(cluster, "3-promote", ActionStatus.STARTED))).get();
        dead.flush();

        try (ClusterRecorder restarted = ClusterRecorder.open(broker.clientProperties(), cluster)) {
            restarted.write(record(cluster, "1-check", ActionStatus.STARTED));
        } finally {
            dead.close(Duration.ZERO);
        }
        // read_committed reads to the end at once: the open transaction no longer holds them back, and it never counted.
        assertThat(AuditLog.read(broker.clientProperties(), since, record -> cluster.equals(record.getCluster())))
                .extracting(ActionRecord::getActionId).containsExactly(cluster + "-incident/1-check");
    }

    @Test
    void whatARecordCostsInItsOwnTransaction() throws Exception {
        String cluster = TestNames.unique("fence-cost");
        int rounds = 40;
        List<Long> plain = new ArrayList<>();
        List<Long> transactional = new ArrayList<>();
        long openNanos;
        try (AuditLog audit = RunbookExecutorIT.audit(broker)) {
            long opening = System.nanoTime();
            try (ClusterRecorder recorder = ClusterRecorder.open(broker.clientProperties(), cluster)) {
                openNanos = System.nanoTime() - opening;
                // Warm both up: metadata, connections, the coordinator.
                audit.write(record(cluster, "warm-plain", ActionStatus.STARTED));
                recorder.write(record(cluster, "warm-txn", ActionStatus.STARTED));
                for (int i = 0; i < rounds; i++) {
                    long start = System.nanoTime();
                    audit.write(record(cluster, "plain-" + i, ActionStatus.STARTED));
                    plain.add(System.nanoTime() - start);
                    start = System.nanoTime();
                    recorder.write(record(cluster, "txn-" + i, ActionStatus.STARTED));
                    transactional.add(System.nanoTime() - start);
                }
            }
        }
        log.info("one record on {}: plain acks=all median {} ms (p90 {} ms); in its own transaction median {} ms (p90 {} ms); opening the"
                        + " cluster (producer + initTransactions) {} ms", Topics.ACTIONS.name(), millis(median(plain)), millis(percentile(plain, 90)),
                millis(median(transactional)), millis(percentile(transactional, 90)), millis(openNanos));
        assertThat(median(transactional)).as("a transactional record stays well under a second").isLessThan(Duration.ofSeconds(1).toNanos());
    }

    private static ActionRecord record(String cluster, String step, ActionStatus status) {
        Instant now = Instant.now();
        return ActionRecord.newBuilder().setActionId(cluster + "-incident/" + step).setKind(ActionKind.FAILOVER_STEP).setName(step)
                .setStatus(status).setIncidentId(cluster + "-incident").setCluster(cluster).setStartedAt(now).setDetail("test").build();
    }

    private static long median(List<Long> nanos) {
        return percentile(nanos, 50);
    }

    private static long percentile(List<Long> nanos, int percent) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1_000_000.0);
    }
}
