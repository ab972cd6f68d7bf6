package dev.drpilot.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loop: reads the cluster's leases ({@code drpilot.agent.leases}, which the agent principal may read) as they come, and
 * keeps the newest with the moment it was read on the agent's monotonic clock — what {@link Replacement} judges a live
 * holder by. Records read while catching up after the start (the topic's past) are dated by their Kafka timestamp
 * instead, so that a holder long gone does not look live just because this agent has only now read it; a wall clock only
 * ever decides here whether to fence, never whether a node may keep writing.
 */
final class LeaseWatch extends AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(LeaseWatch.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String cluster;
    private final Consumer<String, byte[]> consumer;
    private final NanoClock clock;
    private final Clock wallClock;
    private Map<TopicPartition, Long> catchUpEnds;
    private volatile Replacement.Seen newest;

    LeaseWatch(String cluster, Consumer<String, byte[]> consumer, NanoClock clock, Clock wallClock) {
        super("agent-lease-watch", Duration.ofMillis(10));
        this.cluster = cluster;
        this.consumer = consumer;
        this.clock = clock;
        this.wallClock = wallClock;
    }

    @Override
    void tick() {
        if (catchUpEnds == null) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.AGENT_LEASES.name(), Duration.ofSeconds(5)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            catchUpEnds = consumer.endOffsets(partitions, Duration.ofSeconds(5));
        }
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(POLL);
        } catch (InterruptException e) {
            return;   // the agent is stopping (close interrupts the loop): the interrupt flag ends it
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            if (!cluster.equals(record.key()) || record.value() == null) {
                continue;
            }
            AgentLease lease;
            try {
                lease = Topics.AGENT_LEASES.valueSerde().deserializer().deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                log.warn("lease watch: unreadable lease record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
                continue;
            }
            long now = clock.nanoTime();
            boolean past = record.offset() < catchUpEnds.getOrDefault(new TopicPartition(record.topic(), record.partition()), 0L);
            long age = past ? Math.max(0, wallClock.millis() - record.timestamp()) : 0;
            newest = new Replacement.Seen(lease, now - Duration.ofMillis(age).toNanos());
        }
    }

    /** The newest lease record of the cluster read so far. */
    Optional<Replacement.Seen> newest() {
        return Optional.ofNullable(newest);
    }

    @Override
    public void close() {
        super.close();
        consumer.close(Duration.ofSeconds(2));
    }
}
