package dev.drpilot.cli.bench;

import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The footprint benchmark (issue 16): runs the real distribution's {@code drpilot run} (embedded broker, collectors,
 * detectors, actuator) as a process of its own, with the JVM options under test, feeds it a steady observation load for
 * a number of minutes, and prints its resident set, heap, threads, open files and GC pauses over time.
 *
 * <p>The load: every component (kind database, a cluster of its own) is observed once per {@code --every} (replica
 * healthy, lag 0.2 s: the common case, no alert); {@code --flapping} of them alternate between 90 s of lag and none
 * every 15 s, so that alerts fire, resolve and are delivered (to a {@code log} receiver) all the time.
 *
 * <p>{@code --speed N} compresses time for a soak: the observations are stamped N times faster than the wall clock runs
 * (stream time, which the rules and their stores go by, moves N times faster), so 29 minutes at 50 replay a day. The
 * samples then also show the detector's state directory and the broker's log directory growing or not.
 *
 * <pre>bench/footprint [--components 100,1000] [--minutes 10] [--every 2s] [--flapping 10] [--speed 1] [--partitions N] [--java-opts "..."]</pre>
 */
public final class FootprintBenchmark {
    private static final Pattern PAUSE = Pattern.compile("Pause .*?([0-9.]+)ms\\s*$");
    /** G1's one heap line, or the generations of the serial and parallel collectors (summed). */
    private static final Pattern HEAP_USED = Pattern.compile(
            "(?:garbage-first heap|def new generation|tenured generation|PSYoungGen|ParOldGen)\\s+total\\s+(\\d+)K, used (\\d+)K");
    private static final Duration SAMPLE = Duration.ofSeconds(10);

    private FootprintBenchmark() {
    }

    /** {@code partitions} and {@code javaOpts} null: what the configuration's default and the launcher's default say. */
    record Options(List<Integer> components, int minutes, Duration every, int flapping, int speed, Integer partitions, String javaOpts,
                   Path dist, Path out) {
        static Options parse(String[] args) {
            List<Integer> components = List.of(100, 1000);
            int minutes = 10;
            Duration every = Duration.ofSeconds(2);
            int flapping = 10;
            int speed = 1;
            Integer partitions = null;
            String javaOpts = null;
            Path dist = Path.of("cli/target/drpilot-dist");
            Path out = Path.of("target/bench/footprint");
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--components" -> { components = Arrays.stream(value.split(",")).map(Integer::parseInt).toList(); i++; }
                    case "--minutes" -> { minutes = Integer.parseInt(value); i++; }
                    case "--every" -> { every = Duration.ofMillis(Long.parseLong(value.replace("ms", "").replace("s", "000"))); i++; }
                    case "--flapping" -> { flapping = Integer.parseInt(value); i++; }
                    case "--speed" -> { speed = Integer.parseInt(value); i++; }
                    case "--partitions" -> { partitions = Integer.parseInt(value); i++; }
                    case "--java-opts" -> { javaOpts = value; i++; }
                    case "--dist" -> { dist = Path.of(value); i++; }
                    case "--out" -> { out = Path.of(value); i++; }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (known: --components, --minutes, --every, --flapping, --speed, --partitions, --java-opts, --dist, --out)");
                }
            }
            if (speed < 1) {
                throw new IllegalArgumentException("--speed must be 1 or more, not " + speed);
            }
            return new Options(components, minutes, every, flapping, speed, partitions, javaOpts, dist, out);
        }
    }

    record Sample(long seconds, long rssKiB, long heapUsedKiB, long heapCommittedKiB, int threads, int files, long stateKiB, long brokerKiB,
                  long sent) {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Path launcher = options.dist().resolve("bin/drpilot");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing: build the distribution first (./mvnw -pl cli -am package -DskipTests)");
        }
        System.out.printf("footprint benchmark %s: JVM options [%s], %s partitions, %d min per run, each component every %d ms of"
                        + " observed time, %d flapping, time %dx%n", Instant.now(),
                options.javaOpts() == null ? "the launcher's default" : options.javaOpts(),
                options.partitions() == null ? "the default number of" : options.partitions(), options.minutes(), options.every().toMillis(),
                options.flapping(), options.speed());
        List<String> summaries = new ArrayList<>();
        for (int components : options.components()) {
            summaries.add(run(options, launcher, components));
        }
        System.out.println();
        System.out.println("| components | obs/s | RSS steady (median, 2nd half) | RSS max | heap used max | heap after GC (1st → last quarter)"
                + " | threads | open files (1st → last quarter) | detector state (1st → last quarter) | broker logs (1st → last quarter)"
                + " | GC pauses (n, median, p99, max) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        summaries.forEach(System.out::println);
    }

    private static String run(Options options, Path launcher, int components) throws Exception {
        Path dir = options.out().resolve(components + "-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(dir);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("drpilot.yaml");
        Files.writeString(config, config(components, options.partitions(), dir.resolve("kafka"), port));
        // The GC log through JAVA_TOOL_OPTIONS, so that an unset --java-opts leaves the launcher's own default in force.
        String gcLog = "-Xlog:gc:file=" + dir.resolve("gc.log") + ":uptime";
        ProcessBuilder builder = new ProcessBuilder(launcher.toAbsolutePath().toString(), "run", "--config", config.toString(),
                "--metrics-listen", "127.0.0.1:0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("drpilot.log").toFile());
        builder.environment().put("JAVA_TOOL_OPTIONS", gcLog);
        if (options.javaOpts() != null) {
            builder.environment().put("DRPILOT_JAVA_OPTS", options.javaOpts());
        }
        System.out.printf("%n== %,d components: %s (log, gc log, config in %s)%n", components,
                options.javaOpts() == null ? "launcher default" : options.javaOpts(), dir);
        Process process = builder.start();
        List<Sample> samples = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
            awaitTopic(admin, process, Topics.REPLICATION_OBSERVATIONS.name());
            if (options.speed() > 1) {
                acceptFutureTimestamps(admin);
            }
            long started = System.nanoTime();
            // drpilot run keeps the detectors' state beside the embedded broker's data (DetectorSettings): measured apart.
            Path stateDir = dir.resolve("kafka").resolve("streams");
            try (Load load = new Load(port, components, options.every(), options.flapping(), options.speed())) {
                load.start();
                long end = started + TimeUnit.MINUTES.toNanos(options.minutes());
                while (System.nanoTime() < end && process.isAlive()) {
                    Sample sample = sample(process.pid(), (System.nanoTime() - started) / 1_000_000_000L, stateDir, dir.resolve("kafka").resolve("kraft-combined-logs"),
                            load.sent());
                    samples.add(sample);
                    if (samples.size() % 6 == 1) {
                        System.out.printf(Locale.ROOT, "%5d s  RSS %5d MiB  heap %4d/%4d MiB  threads %3d  files %4d  state %,d KiB  broker %,d KiB"
                                        + "  sent %,d%n", sample.seconds(), sample.rssKiB() / 1024, sample.heapUsedKiB() / 1024,
                                sample.heapCommittedKiB() / 1024, sample.threads(), sample.files(), sample.stateKiB(), sample.brokerKiB(),
                                sample.sent());
                    }
                    TimeUnit.MILLISECONDS.sleep(SAMPLE.toMillis());   // sampling pace: there is nothing to wait on
                }
            }
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (samples.isEmpty()) {
            throw new IllegalStateException("drpilot run stopped before the first sample: see " + dir.resolve("drpilot.log"));
        }
        List<Double> pauses = pauses(dir.resolve("gc.log"));
        List<long[]> afterGc = heapAfterGc(dir.resolve("gc.log"));
        List<Long> secondHalf = samples.subList(samples.size() / 2, samples.size()).stream().map(Sample::rssKiB).sorted().toList();
        long rssMax = samples.stream().mapToLong(Sample::rssKiB).max().orElse(0);
        long heapMax = samples.stream().mapToLong(Sample::heapUsedKiB).max().orElse(0);
        Sample last = samples.get(samples.size() - 1);
        double rate = last.sent() / (double) Math.max(1, last.seconds());
        String summary = String.format(Locale.ROOT,
                "| %,d | %.0f | %d MiB | %d MiB | %d MiB | %s | %d | %s | %s | %s | %d, %.1f ms, %.1f ms, %.1f ms |",
                components, rate, secondHalf.get(secondHalf.size() / 2) / 1024, rssMax / 1024, heapMax / 1024,
                quarters(afterGc.stream().map(a -> a[1]).toList(), " MiB", 1), last.threads(),
                quarters(samples.stream().map(s -> (long) s.files()).toList(), "", 1),
                quarters(samples.stream().map(Sample::stateKiB).toList(), " KiB", 1),
                quarters(samples.stream().map(Sample::brokerKiB).toList(), " MiB", 1024),
                pauses.size(), percentile(pauses, 50), percentile(pauses, 99), percentile(pauses, 100));
        Files.writeString(dir.resolve("samples.csv"), csv(samples));
        System.out.println(summary);
        return summary;
    }

    static String config(int components, Integer partitions, Path kafkaDir, int port) {
        StringBuilder yaml = new StringBuilder()
                .append("kafka:\n").append(partitions == null ? "" : "  partitions: " + partitions + "\n")
                .append("  embedded: {stateDir: \"").append(kafkaDir).append("\", port: ").append(port).append("}\n")
                .append("ingestApi: {bind: 127.0.0.1, port: 0}\n")
                .append("thresholds: {replicationLag: 60s, lagHold: 1s, resolveHold: 1s}\n")
                .append("receivers:\n  - {name: log, type: log}\n")
                .append("components:\n");
        for (int i = 0; i < components; i++) {
            yaml.append("  - {name: ").append(Load.name(i)).append(", kind: database}\n");
        }
        return yaml.toString();
    }

    /**
     * A compressed run stamps its records hours ahead of the wall clock, and Kafka 4 refuses timestamps more than an hour
     * ahead ({@code log.message.timestamp.after.max.ms}); lifted for the whole broker, so that the alerts and the
     * Streams application's own topics, which carry the observations' timestamps on, take them too.
     */
    private static void acceptFutureTimestamps(Admin admin) throws Exception {
        ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
        admin.incrementalAlterConfigs(Map.of(cluster, List.of(new AlterConfigOp(
                new ConfigEntry("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE)), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static void awaitTopic(Admin admin, Process process, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("drpilot run exited with " + process.exitValue() + " while starting");
            }
            try {
                if (admin.listTopics().names().get(5, TimeUnit.SECONDS).contains(topic)) {
                    return;
                }
            } catch (Exception e) {
                // the broker is not up yet: look again
            }
            TimeUnit.SECONDS.sleep(1);   // another process starting: polled
        }
        throw new IllegalStateException(topic + " not created within 3 minutes of drpilot run's start");
    }

    static Sample sample(long pid, long seconds, Path stateDir, Path brokerDir, long sent) throws IOException {
        long rss = 0;
        int threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", ""));
            } else if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.replaceAll("\\D", ""));
            }
        }
        int files;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            files = (int) fds.count();
        }
        long[] heap = heap(pid);
        return new Sample(seconds, rss, heap[1], heap[0], threads, files, kib(stateDir), kib(brokerDir), sent);
    }

    /**
     * The disk space used under {@code dir} in KiB, as {@code du -sk} counts it (0 when it is not there). Blocks, not file
     * lengths: Kafka preallocates every segment's index files sparsely at 10 MiB, which lengths would count in full.
     */
    static long kib(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try {
            Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            du.waitFor(30, TimeUnit.SECONDS);
            return output.isEmpty() ? 0 : Long.parseLong(output.split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The median of the first and of the last quarter of {@code values}, "a → b unit", so that growth over the run shows. */
    static String quarters(List<Long> values, String unit, long divisor) {
        if (values.size() < 4) {
            return "n/a";
        }
        int quarter = values.size() / 4;
        return median(values.subList(0, quarter)) / divisor + " → " + median(values.subList(values.size() - quarter, values.size())) / divisor + unit;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** {committed, used} KiB from {@code jcmd PID GC.heap_info}; zeros when jcmd cannot tell. */
    private static long[] heap(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            Process process = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            Matcher matcher = HEAP_USED.matcher(output);
            long[] heap = new long[2];
            while (matcher.find()) {
                heap[0] += Long.parseLong(matcher.group(1));
                heap[1] += Long.parseLong(matcher.group(2));
            }
            return heap;
        } catch (IOException e) {
            return new long[2];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new long[2];
        }
    }

    static List<Double> pauses(Path gcLog) throws IOException {
        if (!Files.exists(gcLog)) {
            return List.of();
        }
        List<Double> pauses = new ArrayList<>();
        for (String line : Files.readAllLines(gcLog)) {
            Matcher matcher = PAUSE.matcher(line);
            if (matcher.find()) {
                pauses.add(Double.parseDouble(matcher.group(1)));
            }
        }
        pauses.sort(Comparator.naturalOrder());
        return pauses;
    }

    private static final Pattern AFTER_GC = Pattern.compile("\\[([0-9.]+)s\\].*Pause.*?(\\d+)M->(\\d+)M\\(");

    /** {uptime seconds, heap MiB after the pause} of every pause in the GC log: what the heap holds, garbage aside. */
    static List<long[]> heapAfterGc(Path gcLog) throws IOException {
        if (!Files.exists(gcLog)) {
            return List.of();
        }
        List<long[]> points = new ArrayList<>();
        for (String line : Files.readAllLines(gcLog)) {
            Matcher matcher = AFTER_GC.matcher(line);
            if (matcher.find()) {
                points.add(new long[] {(long) Double.parseDouble(matcher.group(1)), Long.parseLong(matcher.group(3))});
            }
        }
        return points;
    }

    static double percentile(List<Double> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String csv(List<Sample> samples) {
        StringBuilder csv = new StringBuilder("seconds,rss_kib,heap_used_kib,heap_committed_kib,threads,open_files,state_kib,broker_kib,sent\n");
        samples.forEach(s -> csv.append(s.seconds()).append(',').append(s.rssKiB()).append(',').append(s.heapUsedKiB()).append(',')
                .append(s.heapCommittedKiB()).append(',').append(s.threads()).append(',').append(s.files()).append(',').append(s.stateKiB())
                .append(',').append(s.brokerKiB()).append(',').append(s.sent()).append('\n'));
        return csv.toString();
    }

    /** The paced observation stream, on a thread of its own. */
    static final class Load implements AutoCloseable {
        private static final Duration FLAP = Duration.ofSeconds(15);

        private final KafkaProducer<String, ReplicationObservation> producer;
        private final int components;
        private final long everyMillis;
        private final int flapping;
        private final int speed;
        private final AtomicLong sent = new AtomicLong();
        private final Source source = Source.newBuilder().setCollectorId("bench").setVantage("bench").build();
        private final Thread thread = new Thread(this::run, "footprint-load");
        private volatile boolean running = true;

        Load(int port, int components, Duration every, int flapping, int speed) {
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20),
                    new StringSerializer(), Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
            this.components = components;
            this.everyMillis = every.toMillis();
            this.flapping = Math.min(flapping, components);
            this.speed = speed;
            thread.setDaemon(true);
        }

        static String name(int index) {
            return String.format("db-%06d", index);
        }

        void start() {
            thread.start();
        }

        long sent() {
            return sent.get();
        }

        private void run() {
            long start = System.currentTimeMillis();
            long n = 0;
            while (running) {
                // After t ms of wall clock, t * speed ms have passed for the observations, so (t * speed) / every rounds of
                // every component are due: send what is due, then rest a little.
                long due = (System.currentTimeMillis() - start) * speed * components / everyMillis;
                while (n < due && running) {
                    send((int) (n++ % components), System.currentTimeMillis(), start);
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(5);   // pacing: the schedule above says what is due
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void send(int index, long wall, long start) {
            // Flapping goes by the wall clock (alerts fire and resolve every 15 s of the run whatever the speed); the
            // observations' own time runs speed times faster.
            boolean lagging = index < flapping && ((wall - start) / FLAP.toMillis()) % 2 == 1;
            long now = start + (wall - start) * speed;
            String cluster = name(index);
            ReplicationObservation observation = ReplicationObservation.newBuilder()
                    .setSource(source).setComponent(cluster).setCluster(cluster).setPrimaryNode("pg-1").setReplicaNode("pg-2")
                    .setStreaming(true).setState("streaming").setSyncState("async").setInRecovery(true).setLagBytes(4_096L)
                    .setLagSeconds(lagging ? 90.0 : 0.2).setObservedAt(Instant.ofEpochMilli(now)).build();
            producer.send(new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), null, now, cluster, observation));
            sent.incrementAndGet();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(10_000);
            producer.close(Duration.ofSeconds(10));
        }
    }
}
