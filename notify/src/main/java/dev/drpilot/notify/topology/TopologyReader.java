package dev.drpilot.notify.topology;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.runtime.Seek;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link LiveTopology} once, for {@code drpilot status}: reads what was on the topics when it began, to their end,
 * and no further. Bounded so that it stays fast on big topics: observations (replication, health) of the last
 * {@link #OBSERVATIONS} — evidence older than a cluster's staleness counts for nothing anyway, and an hour covers every
 * "since" the page would show — the action records of the last {@link #ACTIONS} (a failover's "replaced by" note), and the
 * leases from the beginning (compacted: one per cluster). A topic that does not exist yet has nothing to say; a read that
 * cannot reach the end within the timeout fails rather than show part of the picture.
 */
public final class TopologyReader {
    public static final Duration OBSERVATIONS = Duration.ofHours(1);
    public static final Duration ACTIONS = Duration.ofDays(30);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Duration timeout;
    private final Deserializer<ReplicationObservation> replications = Topics.REPLICATION_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<HealthObservation> healths = Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<AgentLease> leases = Topics.AGENT_LEASES.valueSerde().deserializer();
    private final Deserializer<ActionRecord> actions = Topics.ACTIONS.valueSerde().deserializer();

    /** @param timeout the most the whole read may take */
    public TopologyReader(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * @param consumer a consumer without a group, {@code isolation.level=read_committed}, byte arrays; not closed here
     * @return the topology, and how many records of each topic were read and how many could not be
     */
    public Result read(Consumer<byte[], byte[]> consumer, DrpilotConfig config, Instant now) {
        LiveTopology topology = new LiveTopology(config);
        Map<String, Integer> read = new LinkedHashMap<>();
        int unreadable = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> fromTime = new HashMap<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (String topic : List.of(Topics.REPLICATION_OBSERVATIONS.name(), Topics.HEALTH_OBSERVATIONS.name(), Topics.ACTIONS.name(),
                Topics.AGENT_LEASES.name())) {
            read.put(topic, 0);
            for (TopicPartition partition : partitions(consumer, topic)) {
                if (topic.equals(Topics.AGENT_LEASES.name())) {
                    fromStart.add(partition);
                } else {
                    Duration back = topic.equals(Topics.ACTIONS.name()) ? ACTIONS : OBSERVATIONS;
                    fromTime.put(partition, now.minus(back).toEpochMilli());
                }
            }
        }
        List<TopicPartition> all = new ArrayList<>(fromTime.keySet());
        all.addAll(fromStart);
        consumer.assign(all);
        Map<TopicPartition, Long> ends = consumer.endOffsets(all, timeout);
        Seek.toTimes(consumer, fromTime);
        consumer.seekToBeginning(fromStart);
        while (!all.stream().allMatch(partition -> consumer.position(partition, timeout) >= ends.get(partition))) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("the topics were not read to their end within " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    continue;
                }
                if (accept(topology, record)) {
                    read.merge(record.topic(), 1, Integer::sum);
                } else {
                    unreadable++;
                }
            }
        }
        return new Result(topology, read, unreadable);
    }

    /** What was read: the topology, records read per topic, records that could not be read (left out). */
    public record Result(LiveTopology topology, Map<String, Integer> read, int unreadable) {
    }

    // partitionsFor, not listTopics: a topic this principal may not read then fails the read (TopicAuthorizationException)
    // instead of silently dropping that kind of evidence; a topic that does not exist has no partitions.
    private List<TopicPartition> partitions(Consumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic, timeout).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    private boolean accept(LiveTopology topology, ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        if (record.value() == null) {
            // A tombstone (the leases are compacted): nothing to say.
            return true;
        }
        try {
            if (topic.equals(Topics.REPLICATION_OBSERVATIONS.name())) {
                topology.accept(replications.deserialize(topic, record.headers(), record.value()));
            } else if (topic.equals(Topics.HEALTH_OBSERVATIONS.name())) {
                topology.accept(healths.deserialize(topic, record.headers(), record.value()));
            } else if (topic.equals(Topics.AGENT_LEASES.name())) {
                topology.accept(leases.deserialize(topic, record.headers(), record.value()));
            } else {
                topology.accept(actions.deserialize(topic, record.headers(), record.value()));
            }
            return true;
        } catch (RuntimeException e) {
            // Counted and reported by the caller: one foreign record must not hide every node's role.
            return false;
        }
    }
}
