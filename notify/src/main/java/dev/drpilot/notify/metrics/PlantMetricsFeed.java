package dev.drpilot.notify.metrics;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.runtime.Assignment;
import dev.drpilot.runtime.ConsumerLoop;
import dev.drpilot.runtime.RecordHandler;
import dev.drpilot.runtime.Seek;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the replication and backup observations and the action records into {@link PlantMetrics}.
 * Like {@link AlertMetricsFeed} it belongs to no consumer group: every actuator instance serves
 * the whole picture on its own {@code /metrics}. Where each topic is read from at start decides
 * what the figures mean:
 * <ul>
 * <li>replication observations from {@code replicationLookback} ago: older ones would be dropped as
 *     stale anyway, and newer ones refill the lag gauges at once after a restart;</li>
 * <li>health observations from {@code replicationLookback} ago too, for the live topology only (its evidence goes stale as
 *     fast as the replicas');</li>
 * <li>backup observations from the beginning (a week): backups are rare, and the last good one may
 *     be days old;</li>
 * <li>the agents' leases from the beginning: the topic is compacted to one lease per cluster;</li>
 * <li>action records from {@code actionLookback} ago, for the listener (the status page's failover
 *     timelines, which show failovers from before a restart too); {@code drpilot_failovers_total}
 *     counts only those written since this feed's start: it is a counter of what happened while
 *     this process ran, so that a restart does not replay old failovers into {@code increase()}
 *     as if they had just happened; the live topology takes them all.</li>
 * </ul>
 * Only committed records are read. A topic that does not exist yet is looked for again every few
 * seconds.
 */
public final class PlantMetricsFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PlantMetricsFeed.class);
    private static final Duration RETRY_MISSING_TOPICS = Duration.ofSeconds(5);

    /** The topics to read: the catalogue's in production, a test's own in tests. */
    public record Sources(String replication, String backup, String actions, String health, String leases) {
        public static Sources catalogue() {
            return new Sources(Topics.REPLICATION_OBSERVATIONS.name(), Topics.BACKUP_OBSERVATIONS.name(), Topics.ACTIONS.name(),
                    Topics.HEALTH_OBSERVATIONS.name(), Topics.AGENT_LEASES.name());
        }
    }

    /** Also told every record read, after {@link PlantMetrics}: the status page's model reads the same positions. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void accept(ReplicationObservation observation) {
        }

        default void accept(BackupObservation observation) {
        }

        /** Every action record from {@code actionLookback} ago, also those older than this feed's start. */
        default void accept(ActionRecord action) {
        }
    }

    private final Sources sources;
    private final PlantMetrics metrics;
    private final Listener listener;
    private final Clock clock;
    private final Duration replicationLookback;
    private final Duration actionLookback;
    private final Deserializer<ReplicationObservation> replications = Topics.REPLICATION_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<BackupObservation> backups = Topics.BACKUP_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<ActionRecord> actions = Topics.ACTIONS.valueSerde().deserializer();
    private final Deserializer<HealthObservation> healths = Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer();
    private final Deserializer<AgentLease> leases = Topics.AGENT_LEASES.valueSerde().deserializer();
    private final ConsumerLoop<byte[], byte[]> loop;
    private Instant startedAt;

    /**
     * @param consumer            a consumer without a group, {@code isolation.level=read_committed}; closed by this feed
     * @param replicationLookback how far back replication observations are read at start
     */
    public PlantMetricsFeed(Consumer<byte[], byte[]> consumer, Sources sources, PlantMetrics metrics, Clock clock, Duration replicationLookback) {
        this(consumer, sources, metrics, Listener.NONE, clock, replicationLookback, Duration.ZERO);
    }

    /**
     * @param listener       told every record as well
     * @param actionLookback how far back action records are read for the listener; {@link PlantMetrics} still counts only
     *                       those written since this feed started
     */
    public PlantMetricsFeed(Consumer<byte[], byte[]> consumer, Sources sources, PlantMetrics metrics, Listener listener, Clock clock,
                            Duration replicationLookback, Duration actionLookback) {
        this.sources = sources;
        this.metrics = metrics;
        this.listener = listener;
        this.clock = clock;
        this.replicationLookback = replicationLookback;
        this.actionLookback = actionLookback;
        this.loop = ConsumerLoop.builder("drpilot-plant-metrics", consumer)
                .assign(new TopicsAsTheyAppear())
                .handler(RecordHandler.each(this::accept))
                .whenDead("lag, backup and failover metrics are no longer updated")
                .build();
    }

    public PlantMetricsFeed start() {
        // Taken here, not in the thread: an action recorded right after start() returned must count.
        startedAt = clock.instant();
        loop.start();
        return this;
    }

    /** The source topics' partitions, each positioned where its figures need it; a topic missing at start is looked for again. */
    private final class TopicsAsTheyAppear implements Assignment<byte[], byte[]> {
        private final List<String> missing = new ArrayList<>(List.of(sources.replication(), sources.backup(), sources.actions(),
                sources.health(), sources.leases()));
        private final List<TopicPartition> assigned = new ArrayList<>();
        private Instant lookedFor = Instant.MIN;

        @Override
        public void take(Consumer<byte[], byte[]> consumer) {
            afterRound(consumer);
        }

        @Override
        public void afterRound(Consumer<byte[], byte[]> consumer) {
            if (!missing.isEmpty() && !clock.instant().isBefore(lookedFor.plus(RETRY_MISSING_TOPICS))) {
                lookedFor = clock.instant();
                assign(consumer);
            }
        }

        /** Adds the partitions of the topics that exist now to the assignment. */
        private void assign(Consumer<byte[], byte[]> consumer) {
            List<TopicPartition> added = new ArrayList<>();
            for (String topic : List.copyOf(missing)) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                if (!partitions.isEmpty()) {
                    added.addAll(partitions);
                    missing.remove(topic);
                }
            }
            if (added.isEmpty()) {
                log.debug("plant metrics feed: topics {} do not exist yet", missing);
                return;
            }
            assigned.addAll(added);
            consumer.assign(assigned);
            Map<TopicPartition, Long> fromTime = new LinkedHashMap<>();
            for (TopicPartition partition : added) {
                if (partition.topic().equals(sources.backup()) || partition.topic().equals(sources.leases())) {
                    consumer.seekToBeginning(List.of(partition));
                } else if (partition.topic().equals(sources.replication()) || partition.topic().equals(sources.health())) {
                    fromTime.put(partition, startedAt.minus(replicationLookback).toEpochMilli());
                } else {
                    fromTime.put(partition, startedAt.minus(actionLookback).toEpochMilli());
                }
            }
            // Where nothing is that recent, only what comes from now on.
            Seek.toTimes(consumer, fromTime);
            log.info("plant metrics feed reads {} partition(s){}", assigned.size(), missing.isEmpty() ? "" : "; waiting for topics " + missing);
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        try {
            if (topic.equals(sources.replication())) {
                ReplicationObservation observation = replications.deserialize(topic, record.headers(), record.value());
                if (observation != null) {
                    metrics.accept(observation);
                    listener.accept(observation);
                }
            } else if (topic.equals(sources.health())) {
                HealthObservation observation = healths.deserialize(topic, record.headers(), record.value());
                if (observation != null) {
                    metrics.accept(observation);
                }
            } else if (topic.equals(sources.leases())) {
                AgentLease lease = leases.deserialize(topic, record.headers(), record.value());
                if (lease != null) {
                    metrics.accept(lease);
                }
            } else if (topic.equals(sources.backup())) {
                BackupObservation observation = backups.deserialize(topic, record.headers(), record.value());
                if (observation != null) {
                    metrics.accept(observation);
                    listener.accept(observation);
                }
            } else {
                ActionRecord action = actions.deserialize(topic, record.headers(), record.value());
                if (action != null) {
                    // The counters count what happened while this process ran: a restart must not replay old failovers
                    // into increase() as if they had just happened.
                    if (record.timestamp() >= startedAt.toEpochMilli()) {
                        metrics.accept(action);
                    }
                    // Who is primary is a fact older records still tell: the topology takes every one read.
                    metrics.topology().accept(action);
                    // The drills' gauges are a last-known state, not a count: older runs refill them after a restart.
                    metrics.acceptDrill(action);
                    listener.accept(action);
                }
            }
        } catch (RuntimeException e) {
            // The detector dead-letters unreadable observations; here the record only stays out of the figures, counted.
            metrics.unreadable(topic);
            log.debug("plant metrics feed skips unreadable record {}-{}@{}: {}", topic, record.partition(), record.offset(), e.toString());
        }
    }

    /** Its consumer loop, for the health endpoint. */
    public Worker worker() {
        return loop;
    }

    @Override
    public void close() {
        loop.close();
    }
}
