package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import dev.drpilot.failover.ReadIncompleteException;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When this actuator first saw each node's newest lease record, on its monotonic clock, by tailing
 * {@code drpilot.agent.leases} from the moment it started. The lease wait may count {@code readerWait} from that sighting
 * instead of from its own read at the promotion: the agent's anchor is the record's send, which came before any read of
 * it, so the earlier sighting keeps the guarantee — and the wait for a lost machine's lease then runs while the detector
 * is still confirming the loss instead of after it.
 *
 * <p>Only ever an earlier start for a record the fail-closed read also returned ({@link #firstSeen} matches agent id and
 * sequence): a tail that lags, missed a record or died gives no sighting, and the wait counts from the read as before.
 *
 * <p>The same tail keeps the newest record of each cluster ({@link NewestLeases}), read from where a fresh read's first
 * read would begin, so that the promotion's first read can be answered without a consumer of its own. Its consumer must
 * not reset its position on its own ({@code auto.offset.reset=none}): a position moved past records unread would leave a
 * gap in what it answers; the tail stops instead, and every read is a fresh one again.
 *
 * <p>A tail stopped by an error is dead on the health endpoint ({@link TailHealth}).
 */
public final class LeaseSightings implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseSightings.class);
    static final Duration POLL = Duration.ofMillis(200);

    /** The newest record of one node, and when it was first seen; {@code holding}: its state is HOLDING (renewals follow). */
    record Sighting(String agentId, long sequence, long seenAt, boolean holding) {
    }

    private final Map<String, Sighting> newest = new ConcurrentHashMap<>();
    private final NewestLeases leases = new NewestLeases();
    private final LongSupplier clock;
    private final Consumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    /** When the tail was first positioned at the end of every partition (the clock's value), or -1: not reading (yet, or any more). */
    private volatile long positionedAt = -1;
    private final TailHealth health = new TailHealth("failover-lease-sightings");

    LeaseSightings(Consumer<byte[], byte[]> consumer, LongSupplier clock) {
        this.consumer = consumer;
        this.clock = clock;
        this.thread = new Thread(this::run, health.name());
        this.thread.setDaemon(true);
    }

    /** A tail without a consumer, for tests of the bookkeeping. */
    static LeaseSightings detached(LongSupplier clock) {
        return new LeaseSightings(null, clock);
    }

    LeaseSightings start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            if (partitions.isEmpty()) {
                return;   // closed while waiting for the topic
            }
            consumer.assign(partitions);
            // Where a fresh read's first read would start (NewestLeases answers as that read would), and the end: from here
            // on no record of the topic passes unseen, and only the records past it are sightings.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            partitions.forEach(partition -> consumer.seek(partition, LeaseReader.firstReadStart(beginnings.get(partition), ends.get(partition))));
            positioned(clock.getAsLong());
            leases.read(List.of(), positions(partitions));
            while (running) {
                var records = consumer.poll(POLL);
                long seenAt = clock.getAsLong();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;   // written before the tail started: when it was sent is not known here
                    }
                    try {
                        LeaseReader.lease(record).ifPresent(lease -> accept(lease, seenAt));
                    } catch (ReadIncompleteException e) {
                        log.debug("lease sightings: skipped an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
                    }
                }
                leases.read(records, positions(partitions));
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The tail is only ever an earlier start: without it every wait counts from its own read, as it always may.
            health.failed(e);
            log.warn("lease sightings stopped ({}): lease waits count from the promotion's own read; the health endpoint reports "
                    + "this tail dead until a restart", e.toString());
        } finally {
            positionedAt = -1;
            newest.clear();
            leases.stop();
            health.ended();
        }
    }

    private Map<Integer, Long> positions(List<TopicPartition> partitions) {
        Map<Integer, Long> positions = new HashMap<>();
        partitions.forEach(partition -> positions.put(partition.partition(), consumer.position(partition)));
        return positions;
    }

    /** The newest lease record of each cluster as this tail read them, for a promotion's first lease read ({@link LeaseReader}). */
    NewestLeases leases() {
        return leases;
    }

    private List<TopicPartition> partitions() throws InterruptedException {
        return PartitionLookup.await(consumer, Topics.AGENT_LEASES.name(), () -> running, log);
    }

    void accept(AgentLease lease, long seenAt) {
        if (lease == null) {
            return;
        }
        newest.compute(key(lease.getCluster(), lease.getNode()), (key, known) ->
                known != null && known.agentId().equals(lease.getAgentId()) && known.sequence() >= lease.getSequence()
                        ? known : new Sighting(lease.getAgentId(), lease.getSequence(), seenAt, lease.getState() == LeaseState.HOLDING));
    }

    void positioned(long at) {
        positionedAt = at;
    }

    /**
     * How long the agent of {@code node} has been silent as this tail saw it, on the tail's clock (nanoseconds): since the first sighting
     * of its newest record if that record holds the lease (an agent holding it renews every {@code renewInterval}), or since
     * the tail was positioned if it has seen no record of the node at all. Empty when the tail is not reading, or when the
     * newest record released the lease or self-fenced: an agent that holds nothing has nothing to renew, so its silence
     * says nothing of whether it is alive.
     */
    public Optional<Duration> silence(String cluster, String node) {
        long since = positionedAt;
        if (since < 0) {
            return Optional.empty();
        }
        Sighting sighting = newest.get(key(cluster, node));
        if (sighting != null) {
            if (!sighting.holding()) {
                return Optional.empty();
            }
            since = sighting.seenAt();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, clock.getAsLong() - since)));
    }

    /** When this record was first seen, if it is the newest this tail knows of its node. */
    public Optional<Long> firstSeen(AgentLease lease) {
        Sighting sighting = newest.get(key(lease.getCluster(), lease.getNode()));
        return sighting != null && sighting.agentId().equals(lease.getAgentId()) && sighting.sequence() == lease.getSequence()
                ? Optional.of(sighting.seenAt()) : Optional.empty();
    }

    /** How it stands, for the health endpoint. */
    Worker worker() {
        return health;
    }

    private static String key(String cluster, String node) {
        return cluster + "/" + node;
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
