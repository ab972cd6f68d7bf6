package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.failover.ReadIncompleteException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The newest lease record of each cluster, as the actuator's lease tail ({@link LeaseSightings}) has read
 * {@code drpilot.agent.leases} — so that a promotion's first lease read needs no consumer of its own: one consumer made,
 * its metadata fetched and the partition's tail read cost 0.6–0.7 s of a lost machine's failover (measured on the bench).
 *
 * <p>An answer is what the fail-closed read ({@link LeaseReader}) would have returned, or none: the tail starts where
 * that read's first read starts (the last {@link LeaseReader#TAIL} records of each partition), keeps the same records
 * (a cluster's key; no tombstone), and answers only once it has read the cluster's partition up to an end offset the
 * asker captured after its read began — every record written before the read, in offset order, with no gap. A cluster
 * whose record it could not read gets no answer (the read decides, and meets the same record), nor does anything once
 * the tail stopped. Each answer is one consistent moment: the records of a batch and the position after them change
 * under one lock.
 */
final class NewestLeases {
    /** The records read: (partition, cluster) → its newest lease record. */
    private final Map<Slot, AgentLease> newest = new HashMap<>();
    /** The clusters with a record the tail could not read. */
    private final Set<Slot> unreadable = new HashSet<>();
    /** The next offset of each partition the tail has not read yet. */
    private final Map<Integer, Long> readTo = new HashMap<>();
    private boolean stopped;

    private record Slot(int partition, String cluster) {
    }

    /** What the tail knew of a cluster at one moment: its newest record (none: it has none), and where the partition was read to. */
    record Answer(List<AgentLease> records, int partition, long readTo) {
    }

    /** One poll's records (offset order per partition), then the position of every partition after them. */
    synchronized void read(Iterable<ConsumerRecord<byte[], byte[]>> records, Map<Integer, Long> positions) {
        if (stopped) {
            return;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.key() == null) {
                continue;   // as the read: no cluster's
            }
            Slot slot = new Slot(record.partition(), new String(record.key(), StandardCharsets.UTF_8));
            try {
                LeaseReader.lease(record).ifPresent(lease -> newest.put(slot, lease));
            } catch (ReadIncompleteException e) {
                unreadable.add(slot);   // no answer for this cluster from now on, whatever follows
            }
        }
        readTo.putAll(positions);
        notifyAll();
    }

    /** The tail stopped: it knows nothing from now on. */
    synchronized void stop() {
        stopped = true;
        newest.clear();
        unreadable.clear();
        readTo.clear();
        notifyAll();
    }

    /**
     * The cluster's newest record once the tail has read {@code partition} up to {@code end}, waiting at most {@code timeoutNanos}
     * for it; empty when it has not by then, when one of the cluster's records was unreadable, or when the tail stopped.
     */
    synchronized Optional<Answer> awaitUpTo(String cluster, int partition, long end, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!stopped) {
            Long position = readTo.get(partition);
            if (position != null && position >= end) {
                Slot slot = new Slot(partition, cluster);
                if (unreadable.contains(slot)) {
                    return Optional.empty();
                }
                AgentLease lease = newest.get(slot);
                return Optional.of(new Answer(lease == null ? List.of() : List.of(lease), partition, position));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return Optional.empty();
    }
}
