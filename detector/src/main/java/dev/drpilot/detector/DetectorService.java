package dev.drpilot.detector;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.alert.AlertBook;
import dev.drpilot.detector.metrics.CountingDeserializationHandler;
import dev.drpilot.detector.metrics.CountingProcessingHandler;
import dev.drpilot.detector.metrics.DeadLetters;
import dev.drpilot.detector.metrics.DetectorMetrics;
import dev.drpilot.runtime.Worker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The detectors' process: one Kafka Streams application ({@code drpilot-detector}) running
 * {@link DetectorTopology}, exactly-once (v2). A record it cannot read or process is written,
 * byte for byte with the reason in its headers, to {@code drpilot.deadletter} and skipped:
 * one poison pill must not stop detection for everyone.
 */
public final class DetectorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DetectorService.class);
    public static final String APPLICATION_ID = "drpilot-detector";
    private static final Set<KafkaStreams.State> DEAD = Set.of(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.NOT_RUNNING);

    /** The topics the detectors read and write. */
    public static final List<Topic<?, ?>> TOPICS = List.of(
            Topics.REPLICATION_OBSERVATIONS, Topics.BACKUP_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS,
            Topics.COLLECTOR_HEARTBEATS, Topics.ALERTS, Topics.FAILOVER_COMMANDS, Topics.ACTIONS, Topics.RESTORE_CHECKS, Topics.DEAD_LETTER);

    /** Kafka Streams' {@code commit.interval.ms}: with exactly-once, how long output waits at most before a reader can see it. */
    public static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

    private final KafkaStreams streams;
    private final Topology topology;
    private final DeadLetters deadLetters = new DeadLetters();
    private final Map<String, Object> kafkaClientProperties;
    private final StateDirLock lock;

    /**
     * @param stateDir Kafka Streams' {@code state.dir}, kept across restarts; held with a lock for as long as this instance
     *                 lives, so that a second detector pointed at it fails at once, naming it (see {@link StateDirLock})
     */
    public DetectorService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, String applicationId, Path stateDir) {
        this.kafkaClientProperties = Map.copyOf(kafkaClientProperties);
        this.lock = StateDirLock.acquire(stateDir, applicationId);
        try {
            this.topology = DetectorTopology.build(config);
            this.streams = new KafkaStreams(topology, streamsProperties(kafkaClientProperties, applicationId, stateDir, deadLetters));
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        streams.setUncaughtExceptionHandler(error -> {
            log.error("detector stream thread failed, replacing it: {}", error.toString(), error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /** Kafka Streams' configuration of a detector: the client properties given and what the detector needs on top of them. */
    static Properties streamsProperties(Map<String, Object> kafkaClientProperties, String applicationId, Path stateDir,
                                        DeadLetters deadLetters) {
        Properties props = new Properties();
        props.putAll(kafkaClientProperties);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTER.name());
        // Kafka's log-and-continue handlers, counting each record by reason for /metrics.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, CountingDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, CountingProcessingHandler.class);
        props.put(DeadLetters.CONFIG, deadLetters);
        // The regular commit; a rule that emits an alert asks for an earlier one (RuleProcessor), so alerts need not wait for it.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) COMMIT_INTERVAL.toMillis());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // The stores are not transactional (Kafka's default, stated here because the next line depends on it): they hold no
        // uncommitted bytes, so the check of that count that Kafka Streams makes on every loop (4.8 % of the stream thread at
        // full speed, docs/benchmarks.md) could never ask for a commit. Off, it is not made; commits are as before.
        props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, false);
        props.put(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, -1L);
        BoundedRocksDbMemory.budget(System.getProperty(BoundedRocksDbMemory.PROPERTY));   // a bad value stops start-up, not a stream thread
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        return props;
    }

    /** Tells {@code listener} about every restoration of a state store from its changelog; before {@link #start()}. */
    public DetectorService onRestore(StateRestoreListener listener) {
        streams.setGlobalStateRestoreListener(listener);
        return this;
    }

    public DetectorService start() {
        try {
            lock.forgetStateOfAnotherCluster(streams, kafkaClientProperties);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        streams.start();
        log.info("detector {} started: rules {}", APPLICATION_ID, ConfigLoader.RULES);
        return this;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Puts the detectors' metrics into {@code registry}: see {@link DetectorMetrics}. */
    public void registerMetrics(PrometheusRegistry registry) {
        Map<String, String> rules = new TreeMap<>();
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().stream().filter(store -> store.equals(AlertBook.Stores.firing(node.name())))
                            .forEach(store -> rules.put(node.name(), store));
                }
            }
        }
        DetectorMetrics.register(registry, streams, rules, deadLetters);
    }

    /**
     * The application as a worker of the process's health: alive until it failed or stopped (a failed stream thread is
     * replaced, so only the whole application dying counts).
     */
    public Worker worker() {
        return new Worker() {
            @Override
            public String name() {
                return APPLICATION_ID;
            }

            @Override
            public boolean alive() {
                return !DEAD.contains(streams.state());
            }

            @Override
            public Optional<Throwable> failure() {
                return alive() ? Optional.empty() : Optional.of(new IllegalStateException("Kafka Streams application " + streams.state()));
            }
        };
    }

    /** Why the detectors are not ready, if they are not: only RUNNING detects (not while rebalancing or restoring state). */
    public Optional<String> notReady() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING ? Optional.empty() : Optional.of("Kafka Streams " + state);
    }

    /**
     * Records skipped because they could not be read or processed (each one copied to the
     * dead-letter topic): Kafka Streams' own {@code dropped-records-total}, summed over tasks.
     * Also exported over JMX as {@code kafka.streams:type=stream-task-metrics}.
     */
    public long deadLettered() {
        return (long) streams.metrics().values().stream()
                .filter(metric -> metric.metricName().name().equals("dropped-records-total"))
                .mapToDouble(metric -> ((Number) metric.metricValue()).doubleValue())
                .sum();
    }

    /**
     * Stops the application, leaving the consumer group at once (Streams otherwise stays a member
     * until its session times out, and a restart would wait up to 45 s to rebalance). The local state
     * stays, checkpointed: the next start on this state directory reads only what the changelogs
     * gained since, instead of restoring every store from the beginning.
     */
    @Override
    public void close() {
        try {
            boolean closed = streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            if (!closed) {
                throw new IllegalStateException("the detector's stream threads did not stop within 30 s (state " + streams.state() + ")");
            }
        } finally {
            lock.close();
        }
    }
}
