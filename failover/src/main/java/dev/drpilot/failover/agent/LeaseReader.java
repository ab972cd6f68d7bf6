package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.ReadIncompleteException;
import dev.drpilot.failover.TopicReader;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads the agents' leases ({@code drpilot.agent.leases}, compacted, keyed by cluster) for one cluster, fail-closed like
 * every decision's read ({@link TopicReader}): to the end offsets captured when the read began, or a
 * {@link ReadIncompleteException} — never a part, since the record left unread could be the newest renewal. A
 * {@link Session} reads the tail of the cluster's partition once ({@link #TAIL}), then only what came since its last read, on one
 * consumer, so that a wait can look again every quarter second cheaply. With the actuator's lease tail
 * ({@link NewestLeases}), the first read is the tail's answer once it has read as far as this read's end offset: the
 * same newest record without a consumer made, its metadata fetched and the tail read again for every promotion.
 */
public final class LeaseReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseReader.class);
    static final long TAIL = 10_000;
    /** How long a first read waits for the tail to reach the end offset it captured before reading for itself. */
    static final Duration TAIL_CATCH_UP = Duration.ofMillis(500);
    /**
     * The most the end-offset look-up for the tail's answer may take: short, since it is taken under a lock every first read
     * shares and a read of its own follows when it fails (a broker that does not answer within it is better met by that).
     */
    static final Duration ENDS_TIMEOUT = Duration.ofSeconds(1);

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Duration timeout;
    private final Optional<NewestLeases> tail;
    /** Asks the end offsets for answers from the tail; made on first use, kept while it works. Guarded by {@code this}. */
    private Consumer<byte[], byte[]> ends;
    private boolean closed;

    /**
     * @param consumers makes a consumer (no group, read_committed) for one session; closed with it
     * @param timeout   the most one read may take
     */
    public LeaseReader(Supplier<Consumer<byte[], byte[]>> consumers, Duration timeout) {
        this(consumers, timeout, Optional.empty());
    }

    /** @param tail when present, a session's first read is answered from it when it has read far enough */
    LeaseReader(Supplier<Consumer<byte[], byte[]>> consumers, Duration timeout, Optional<NewestLeases> tail) {
        this.consumers = consumers;
        this.timeout = timeout;
        this.tail = tail;
    }

    public Session session(String cluster) {
        return new Session(cluster);
    }

    /**
     * The cluster's newest record from the tail, once it read the cluster's partition up to the end offset asked for here (so
     * after this read began); empty when it could not say within {@link #TAIL_CATCH_UP} — the read then reads for itself.
     */
    private Optional<NewestLeases.Answer> fromTail(String cluster) throws InterruptedException {
        if (tail.isEmpty()) {
            return Optional.empty();
        }
        TopicPartition partition;
        long end;
        synchronized (this) {
            try {
                Optional<Consumer<byte[], byte[]>> consumer = endsConsumer();
                if (consumer.isEmpty()) {
                    return Optional.empty();
                }
                int count = consumer.get().partitionsFor(Topics.AGENT_LEASES.name(), ENDS_TIMEOUT).size();
                if (count == 0) {
                    return Optional.empty();
                }
                partition = new TopicPartition(Topics.AGENT_LEASES.name(), partitionOf(cluster, count));
                end = consumer.get().endOffsets(List.of(partition), ENDS_TIMEOUT).get(partition);
            } catch (KafkaException e) {
                log.debug("lease read: no end offset for the tail's answer ({}); reading for itself", e.toString());
                dropEndsConsumer();
                return Optional.empty();
            }
        }
        return tail.get().awaitUpTo(cluster, partition.partition(), end, TAIL_CATCH_UP.toNanos());
    }

    private Optional<Consumer<byte[], byte[]>> endsConsumer() {
        if (closed) {
            return Optional.empty();
        }
        if (ends == null) {
            ends = consumers.get();
        }
        return Optional.of(ends);
    }

    private void dropEndsConsumer() {
        if (ends != null) {
            ends.close(Duration.ZERO);
            ends = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (ends != null) {
            ends.close(Duration.ofSeconds(1));
            ends = null;
        }
    }

    /** Successive reads of one cluster's leases. */
    public final class Session implements AutoCloseable {
        private final String cluster;
        private Consumer<byte[], byte[]> consumer;
        private final TopicReader reader = new TopicReader(timeout);
        private Map<TopicPartition, Long> next;
        private boolean answeredByTail;

        private Session(String cluster) {
            this.cluster = cluster;
        }

        /**
         * The cluster's lease records written since the last read, oldest first; the first time, those of the partition's
         * tail — or only the newest, when the actuator's lease tail answered (a judgement looks at nothing else of a first read).
         */
        public List<AgentLease> read() throws ReadIncompleteException, InterruptedException {
            if (next == null) {
                Optional<NewestLeases.Answer> answer = fromTail(cluster);
                if (answer.isPresent()) {
                    answeredByTail = true;
                    next = Map.of(new TopicPartition(Topics.AGENT_LEASES.name(), answer.get().partition()), answer.get().readTo());
                    return answer.get().records();
                }
            }
            if (consumer == null) {
                consumer = consumers.get();
            }
            List<AgentLease> found = new ArrayList<>();
            Map<TopicPartition, Long> ends = new HashMap<>();
            try {
                reader.read(consumer, Topics.AGENT_LEASES.name(), (c, partitions, endOffsets) -> {
                    ends.putAll(endOffsets);
                    int ours = partitionOf(cluster, partitions.size());
                    Map<TopicPartition, Long> starts = new HashMap<>(endOffsets);   // the other clusters' partitions: nothing to read
                    partitions.stream().filter(partition -> partition.partition() == ours).findFirst().ifPresent(partition ->
                            starts.put(partition, next == null ? tail(c, partition, endOffsets.get(partition)) : next.getOrDefault(partition, 0L)));
                    return starts;
                }, record -> accept(record, found));
            } catch (AuditLog.AuditException e) {
                throw new IllegalStateException("a lease read writes nothing", e);
            }
            next = ends;
            return found;
        }

        private void accept(ConsumerRecord<byte[], byte[]> record, List<AgentLease> found) throws ReadIncompleteException {
            if (record.key() == null || !cluster.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                return;
            }
            lease(record).ifPresent(found::add);
        }

        /** Whether the first read was the tail's answer. */
        boolean answeredByTail() {
            return answeredByTail;
        }

        @Override
        public void close() {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(1));
            }
        }
    }

    /**
     * The lease a record of the cluster holds; empty for a tombstone (nothing holds the lease). The one rule of what counts, for
     * a read and for the actuator's tail ({@link NewestLeases}) alike.
     *
     * @throws ReadIncompleteException when it cannot be read: it could be the newest renewal, so no judgement on the rest
     */
    static Optional<AgentLease> lease(ConsumerRecord<byte[], byte[]> record) throws ReadIncompleteException {
        if (record.value() == null) {
            return Optional.empty();
        }
        AgentLease lease;
        try {
            lease = Topics.AGENT_LEASES.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            throw new ReadIncompleteException("unreadable lease record at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + ": " + e.getMessage());
        }
        if (lease == null) {
            throw new ReadIncompleteException("unreadable lease record at " + record.topic() + "-" + record.partition() + "@" + record.offset());
        }
        return Optional.of(lease);
    }

    /**
     * Where the first read starts: the last {@link #TAIL} records of the partition. The topic is compacted, but only its
     * closed segments are, and renewals every few seconds fill the open one for up to {@code segment.ms} (a week by
     * default): reading all of it could outlast the read's timeout. Leaving older records unread can only make the lease
     * prove less (no record proves nothing), never more: the newest record of a cluster whose agent renews is always in
     * the tail, and every record after the first read is read.
     */
    private static long tail(Consumer<byte[], byte[]> consumer, TopicPartition partition, long end) {
        return firstReadStart(consumer.beginningOffsets(List.of(partition)).get(partition), end);
    }

    /** The offset a first read starts from, given the partition's beginning and end offsets; the actuator's tail starts there too. */
    static long firstReadStart(long beginning, long end) {
        return Math.max(beginning, end - TAIL);
    }

    /** The partition the producers' default partitioner gives a key: the cluster's leases are all there. */
    static int partitionOf(String cluster, int partitions) {
        return Utils.toPositive(Utils.murmur2(cluster.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
