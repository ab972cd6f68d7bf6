package dev.drpilot.failover.agent;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import dev.drpilot.failover.ReadIncompleteException;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The promotion's first lease read answered by the actuator's lease tail, on a real broker: the same newest record a read of
 * its own returns — records written before the tail started, a renewal acknowledged just before the read — with one
 * consumer made for all the reads instead of one each; a cluster with an unreadable record is read for itself and fails
 * as before.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class LeaseTailIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final AtomicInteger consumersMade = new AtomicInteger();
    private EmbeddedKafkaBroker broker;
    private KafkaProducer<String, byte[]> producer;
    private LeaseSightings tail;
    private LeaseReader withTail;
    private LeaseReader withoutTail;

    @BeforeEach
    void start(EmbeddedKafkaBroker broker) {
        this.broker = broker;
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.AGENT_LEASES), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[]{withTail, withoutTail, tail, producer}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> properties = new HashMap<>(broker.clientProperties());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return properties;
    }

    private Supplier<Consumer<byte[], byte[]>> counted() {
        return () -> {
            consumersMade.incrementAndGet();
            return new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        };
    }

    private void startTail() {
        Map<String, Object> properties = consumerProperties();
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        tail = new LeaseSightings(new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer()), System::nanoTime).start();
        withTail = new LeaseReader(counted(), TIMEOUT, Optional.of(tail.leases()));
        withoutTail = new LeaseReader(() -> new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                TIMEOUT);
    }

    private static AgentLease lease(String cluster, String node, long sequence, LeaseState state) {
        return lease(cluster, node, sequence, state, Duration.ofSeconds(3));
    }

    private static AgentLease lease(String cluster, String node, long sequence, LeaseState state, Duration ttl) {
        return AgentLease.newBuilder().setCluster(cluster).setNode(node).setAgentId("agent-" + node).setState(state)
                .setSequence(sequence).setTtlMillis(ttl.toMillis()).setRenewedAt(Instant.now()).setDetails(Map.of()).build();
    }

    private void send(String cluster, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.AGENT_LEASES.name(), cluster, value)).get();   // acknowledged, as an agent's renewal
    }

    private void send(AgentLease lease) throws Exception {
        send(lease.getCluster(), Topics.AGENT_LEASES.valueSerde().serializer().serialize(Topics.AGENT_LEASES.name(), lease));
    }

    /** One session's first read: what it returned, and whether the tail answered it. */
    private record FirstRead(List<AgentLease> records, boolean byTail) {
    }

    private static FirstRead firstRead(LeaseReader reader, String cluster) throws Exception {
        try (LeaseReader.Session session = reader.session(cluster)) {
            List<AgentLease> records = session.read();
            return new FirstRead(records, session.answeredByTail());
        }
    }

    private static Optional<AgentLease> newest(List<AgentLease> records) {
        return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
    }

    @Test
    void theTailAnswersWithTheNewestRecordAReadOfItsOwnFindsWithOneConsumerForEveryRead() throws Exception {
        String cluster = TestNames.unique("tail");
        String other = TestNames.unique("tail-other");
        for (long sequence = 1; sequence <= 3; sequence++) {
            send(lease(cluster, "pg-1", sequence, LeaseState.HOLDING));   // before the tail starts: read from the partition's tail
        }
        send(lease(other, "pg-7", 1, LeaseState.HOLDING));
        startTail();

        FirstRead first = firstRead(withTail, cluster);
        assertThat(first.byTail()).isTrue();
        assertThat(newest(first.records())).map(AgentLease::getSequence).contains(3L);
        assertThat(newest(first.records())).isEqualTo(newest(firstRead(withoutTail, cluster).records()));

        for (long sequence = 4; sequence <= 6; sequence++) {
            AgentLease renewal = lease(cluster, "pg-1", sequence, LeaseState.HOLDING);
            send(renewal);   // acknowledged just before the read: the read must return it
            FirstRead again = firstRead(withTail, cluster);
            assertThat(again.byTail()).isTrue();
            assertThat(newest(again.records())).contains(renewal);
        }
        send(lease(cluster, "pg-2", 1, LeaseState.SELF_FENCED));
        FirstRead another = firstRead(withTail, cluster);
        assertThat(newest(another.records())).as("the cluster's newest, whichever node").map(AgentLease::getNode).contains("pg-2");
        assertThat(newest(another.records())).isEqualTo(newest(firstRead(withoutTail, cluster).records()));

        FirstRead none = firstRead(withTail, TestNames.unique("no-lease"));
        assertThat(none.byTail()).isTrue();
        assertThat(none.records()).as("a cluster without any lease record").isEmpty();

        assertThat(consumersMade).as("eight reads, one consumer: the one that asks the end offsets").hasValue(1);
    }

    @Test
    void aLaterReadOfTheSameSessionReadsWhatCameAfterTheTailsAnswer() throws Exception {
        String cluster = TestNames.unique("tail-next");
        startTail();
        send(lease(cluster, "pg-1", 1, LeaseState.HOLDING));
        try (LeaseReader.Session session = withTail.session(cluster)) {
            assertThat(session.read()).extracting(AgentLease::getSequence).containsExactly(1L);
            assertThat(session.answeredByTail()).isTrue();
            send(lease(cluster, "pg-1", 2, LeaseState.HOLDING));
            send(lease(cluster, "pg-1", 3, LeaseState.RELEASED));

            assertThat(session.read()).extracting(AgentLease::getSequence).containsExactly(2L, 3L);
            assertThat(session.read()).isEmpty();
        }
    }

    @Test
    void aLeaseWhoseWaitWasOverBeforeThePromotionIsFoundExpiredByTheFirstReadAlone() throws Exception {
        String cluster = TestNames.unique("tail-expired");
        startTail();
        await().atMost(TIMEOUT).until(() -> tail.silence(cluster, "pg-1").isPresent());   // positioned: what comes next is sighted
        LeaseExpiry expiry = new LeaseExpiry(0.01, Duration.ZERO);
        AgentLease last = lease(cluster, "pg-1", 1, LeaseState.HOLDING, Duration.ofMillis(200));
        send(last);
        long readerWait = expiry.readerWait(Duration.ofMillis(200)).toNanos();
        await().atMost(TIMEOUT).until(() -> tail.firstSeen(last).map(seen -> System.nanoTime() - seen > readerWait).orElse(false));

        LeaseFinding finding = new LeaseWait(withTail, expiry, Optional.of(tail)).await(cluster, node("pg-1"), Duration.ofSeconds(30));

        assertThat(finding.kind()).as(finding.detail()).isEqualTo(LeaseFinding.Kind.EXPIRED);
        assertThat(consumersMade).as("only the consumer that asks the end offsets: no read of its own, no second look").hasValue(1);
    }

    @Test
    void aLeaseStillRunningAtThePromotionIsWaitedOnAndItsRenewalRefuses() throws Exception {
        String cluster = TestNames.unique("tail-renewing");
        startTail();
        send(lease(cluster, "pg-1", 1, LeaseState.HOLDING, Duration.ofSeconds(10)));
        LeaseWait wait = new LeaseWait(withTail, LeaseExpiry.DEFAULT, Optional.of(tail));
        CompletableFuture<LeaseFinding> finding = CompletableFuture.supplyAsync(() -> {
            try {
                return wait.await(cluster, node("pg-1"), Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(TIMEOUT).until(() -> consumersMade.get() == 2);   // the wait's own consumer, for the looks after the first
        send(lease(cluster, "pg-1", 2, LeaseState.HOLDING, Duration.ofSeconds(10)));

        assertThat(finding.get(20, TimeUnit.SECONDS).kind()).isEqualTo(LeaseFinding.Kind.RENEWING);
    }

    private static NodeConfig node(String name) {
        return new NodeConfig(name, NodeConfig.Role.PRIMARY, "localhost", 5432, "app", Optional.empty(), Optional.empty(), Optional.empty(),
                50, List.of(), Optional.empty());
    }

    @Test
    void aClusterWithAnUnreadableRecordIsReadForItselfAndFailsAsBefore() throws Exception {
        String cluster = TestNames.unique("tail-garbage");
        send(lease(cluster, "pg-1", 1, LeaseState.HOLDING));
        send(cluster, "not an AgentLease".getBytes());
        send(lease(cluster, "pg-1", 2, LeaseState.HOLDING));
        startTail();

        try (LeaseReader.Session session = withTail.session(cluster)) {
            assertThatThrownBy(session::read).isInstanceOf(ReadIncompleteException.class).hasMessageContaining("unreadable lease record");
            assertThat(session.answeredByTail()).isFalse();
        }
    }

    @Test
    void withoutTheTailEveryReadIsItsOwn() throws Exception {
        String cluster = TestNames.unique("tail-stopped");
        send(lease(cluster, "pg-1", 1, LeaseState.HOLDING));
        startTail();
        tail.close();

        FirstRead read = firstRead(withTail, cluster);
        assertThat(read.byTail()).isFalse();
        assertThat(newest(read.records())).map(AgentLease::getSequence).contains(1L);
    }
}
