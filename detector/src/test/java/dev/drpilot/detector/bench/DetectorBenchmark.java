package dev.drpilot.detector.bench;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.detector.rules.ReplicationLagRule;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The detector benchmark (a runnable harness, not a test; run it with {@code bench/detector}).
 * Each run starts a fresh embedded broker, creates the detectors' topics, starts
 * {@link DetectorService} (exactly-once v2) with every monitored component in its configuration,
 * drives it with {@link ObservationLoad} at one offered rate, and after a warm-up measures, over
 * a steady window: the detector's throughput from its committed input offsets
 * ({@link ConsumerProgress}), observation-to-alert latencies ({@link AlertLatencies}) and where
 * the CPU went ({@link CpuUsage}). See docs/benchmarks.md.
 */
public final class DetectorBenchmark {
    static final String APPLICATION_ID = "drpilot-detector-bench";
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private DetectorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("bench/detector: " + e.getMessage());
            }
            System.err.println(BenchOptions.USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        String started = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        List<RunResult> results = new ArrayList<>();
        for (int components : options.components()) {
            for (int rate : options.rates()) {
                System.out.printf("%n== run: offered %s obs/s, %,d components, warm-up %d s, window %d s%n",
                        BenchOptions.rateLabel(rate), components, options.warmup(), options.seconds());
                RunResult result = run(options, rate, components);
                System.out.println(result.detail());
                results.add(result);
            }
        }
        String report = report(options, args, results);
        System.out.println();
        System.out.println(report);
        Files.createDirectories(options.outDir());
        Path file = options.outDir().resolve("detector-" + started + ".txt");
        Files.writeString(file, report);
        System.out.println("written to " + file);
        System.exit(0);
    }

    static RunResult run(BenchOptions options, int rate, int components) throws Exception {
        // Not the OS temp folder: Streams warns that it may be cleaned under a running application.
        Path work = Files.createDirectories(options.outDir().resolve("work"));
        Path dir = Files.createTempDirectory(work, "run-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(dir.resolve("kafka")).build().start();
             Admin admin = Admin.create(broker.clientProperties())) {
            createTopics(admin);
            DrpilotConfig config = config(components);
            Map<String, Object> streamsProps = new HashMap<>(broker.clientProperties());
            streamsProps.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.streamThreads());
            List<DetectorService> detectors = new ArrayList<>();
            try {
                for (int i = 0; i < options.instances(); i++) {
                    detectors.add(new DetectorService(config, streamsProps, APPLICATION_ID, dir.resolve("streams-" + i)).start());
                }
                for (DetectorService detector : detectors) {
                    awaitRunning(detector);
                }
                return measure(options, rate, components, broker, admin);
            } finally {
                for (DetectorService detector : detectors) {
                    detector.close();
                }
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private static RunResult measure(BenchOptions options, int rate, int components, EmbeddedKafkaBroker broker, Admin admin)
            throws Exception {
        AlertLatencies latencies = new AlertLatencies(broker.clientProperties()).start();
        KafkaProducer<String, ReplicationObservation> producer = producer(broker);
        // The load reads the progress (max runs pause while too far ahead); the progress reads the load's count.
        ConsumerProgress[] progress = new ConsumerProgress[1];
        ObservationLoad load = new ObservationLoad(producer, rate, components, options.probeShare(), options.maxLag(),
                () -> progress[0].committed(), latencies);
        progress[0] = new ConsumerProgress(admin, APPLICATION_ID, partitions(Topics.REPLICATION_OBSERVATIONS.name()),
                partitions(APPLICATION_ID + "-" + dev.drpilot.detector.alert.AlertBook.Stores.states(ReplicationLagRule.NAME) + "-changelog"), load::sent).start();
        try {
            load.start();
            TimeUnit.SECONDS.sleep(options.warmup());
            Map<String, Double> processedFrom = options.instances() > 1 ? InstanceShares.processed() : Map.of();
            CpuUsage.Snapshot cpuFrom = CpuUsage.snapshot();
            long windowFrom = System.currentTimeMillis();
            long nanosFrom = System.nanoTime();
            TimeUnit.SECONDS.sleep(options.seconds());
            long nanosTo = System.nanoTime();
            long windowTo = System.currentTimeMillis();
            CpuUsage.Snapshot cpuTo = CpuUsage.snapshot();
            if (options.instances() > 1) {
                System.out.println("records processed per instance in the window: " + InstanceShares.between(processedFrom, InstanceShares.processed()));
            }
            load.close();
            long drainUntil = System.nanoTime() + DRAIN.toNanos();
            while (latencies.missing(windowFrom, windowTo) > 0 && System.nanoTime() < drainUntil) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            return RunResult.of(rate, components, progress[0].samples(), nanosFrom, nanosTo,
                    latencies.stats(windowFrom, windowTo), CpuUsage.between(cpuFrom, cpuTo), load.failed(), latencies.unmatched());
        } finally {
            load.close();
            progress[0].close();
            latencies.close();
            producer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * The configuration, through the real loader: a lag rule that fires after 1 s, and every
     * component declared (a database: RPO 5 min).
     */
    static DrpilotConfig config(int components) {
        StringBuilder yaml = new StringBuilder("thresholds: {replicationLag: 60s, lagHold: 1s, resolveHold: 1s}\ncomponents:\n");
        IntStream.range(0, components).forEach(i -> yaml.append("  - {name: ").append(ObservationLoad.clusterName(i)).append(", kind: database}\n"));
        return ConfigLoader.parse(yaml.toString(), "benchmark", name -> null);
    }

    private static void createTopics(Admin admin) throws Exception {
        TopicAdmin.ensureTopics(admin, DetectorService.TOPICS, 0, Optional.empty(), Duration.ofSeconds(30));
        // The alert's broker append time, for the "append" latency (the topic's default is CreateTime,
        // which Streams sets to the input record's timestamp).
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.ALERTS.name()),
                List.of(new AlterConfigOp(new ConfigEntry("message.timestamp.type", "LogAppendTime"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static KafkaProducer<String, ReplicationObservation> producer(EmbeddedKafkaBroker broker) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        return new KafkaProducer<>(props, Topics.REPLICATION_OBSERVATIONS.keySerde().serializer(),
                Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, Topics.REPLICATION_OBSERVATIONS.defaultPartitions()).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    private static void awaitRunning(DetectorService detector) throws InterruptedException {
        // Generous: on a machine shared with other builds the first rebalance alone has taken over a minute.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (detector.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the detector did not reach RUNNING within 180 s (state " + detector.state() + ")");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    static String report(BenchOptions options, String[] args, List<RunResult> results) {
        StringBuilder out = new StringBuilder();
        out.append("drpilot detector benchmark, ").append(Instant.now()).append('\n');
        out.append("command: bench/detector ").append(String.join(" ", args)).append('\n');
        out.append(String.format("window %d s after %d s warm-up; probe share %.3f; %d instance(s) x %d stream thread(s); exactly_once_v2, commit %d ms; "
                        + "%d cores, Java %s%n", options.seconds(), options.warmup(), options.probeShare(), options.instances(),
                options.streamThreads(), DetectorService.COMMIT_INTERVAL.toMillis(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        out.append(RunResult.header()).append('\n');
        results.forEach(r -> out.append(r.row()).append('\n'));
        out.append(RunResult.legend());
        return out.toString();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
