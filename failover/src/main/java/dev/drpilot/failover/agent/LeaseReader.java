package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.ReadIncompleteException;
import dev.drpilot.failover.TopicReader;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads the agents' leases ({@code drpilot.agent.leases}, compacted, keyed by cluster) for one cluster, fail-closed like
 * every decision's read ({@link TopicReader}): to the end offsets captured when the read began, or a
 * {@link ReadIncompleteException} — never a part, since the record left unread could be the newest renewal. A
 * {@link Session} reads the cluster's partition from its beginning once, then only what came since its last read, on one
 * consumer, so that a wait can look again every quarter second cheaply.
 */
public final class LeaseReader {
    static final long TAIL = 10_000;

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Duration timeout;

    /**
     * @param consumers makes a consumer (no group, read_committed) for one session; closed with it
     * @param timeout   the most one read may take
     */
    public LeaseReader(Supplier<Consumer<byte[], byte[]>> consumers, Duration timeout) {
        this.consumers = consumers;
        this.timeout = timeout;
    }

    public Session session(String cluster) {
        return new Session(cluster, consumers.get());
    }

    /** Successive reads of one cluster's leases. */
    public final class Session implements AutoCloseable {
        private final String cluster;
        private final Consumer<byte[], byte[]> consumer;
        private final TopicReader reader = new TopicReader(timeout);
        private Map<TopicPartition, Long> next;

        private Session(String cluster, Consumer<byte[], byte[]> consumer) {
            this.cluster = cluster;
            this.consumer = consumer;
        }

        /** The cluster's lease records written since the last read (all of them the first time), oldest first. */
        public List<AgentLease> read() throws ReadIncompleteException {
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
            if (record.value() == null) {
                return;   // a tombstone: nothing holds the lease
            }
            try {
                found.add(Topics.AGENT_LEASES.valueSerde().deserializer().deserialize(record.topic(), record.value()));
            } catch (RuntimeException e) {
                // An unreadable record could be the newest renewal: no judgement on the rest.
                throw new ReadIncompleteException("unreadable lease record at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                        + ": " + e.getMessage());
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /**
     * Where the first read starts: the last {@link #TAIL} records of the partition. The topic is compacted, but only its
     * closed segments are, and renewals every few seconds fill the open one for up to {@code segment.ms} (a week by
     * default): reading all of it could outlast the read's timeout. Leaving older records unread can only make the lease
     * prove less (no record proves nothing), never more: the newest record of a cluster whose agent renews is always in
     * the tail, and every record after the first read is read.
     */
    private static long tail(Consumer<byte[], byte[]> consumer, TopicPartition partition, long end) {
        long beginning = consumer.beginningOffsets(List.of(partition)).get(partition);
        return Math.max(beginning, end - TAIL);
    }

    /** The partition the producers' default partitioner gives a key: the cluster's leases are all there. */
    static int partitionOf(String cluster, int partitions) {
        return Utils.toPositive(Utils.murmur2(cluster.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
