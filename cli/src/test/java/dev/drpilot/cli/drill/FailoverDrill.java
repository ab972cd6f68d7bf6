package dev.drpilot.cli.drill;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.CloudClients;
import dev.drpilot.failover.DeadLetters;
import dev.drpilot.failover.FailoverService;
import dev.drpilot.failover.RunbookExecutor;
import dev.drpilot.failover.StepFactory;
import dev.drpilot.failover.agent.NodeAgents;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline around a real PostgreSQL cluster, as {@code drpilot run} wires it:
 * collectors (replication, health probes), the detectors, and the failover actuator, on one
 * broker. {@link #killPrimary} kills the primary's postmaster with a writer running and measures
 * how long until a replica takes writes and how many acknowledged rows the new primary lacks.
 * Used by {@code FailoverPipelineIT} (one round, assertions) and {@code FailoverBenchmark}.
 */
public final class FailoverDrill implements AutoCloseable {
    private final PostgresCluster pg;
    private final String cluster;
    private final DrpilotConfig config;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final AuditLog audit;
    private final Path stateDir;
    private final Map<String, Object> kafka;

    public FailoverDrill(EmbeddedKafkaBroker broker, PostgresCluster pg, String cluster, String extraYaml) throws Exception {
        this(broker, pg, cluster, "{mode: auto}", extraYaml, Optional.empty());
    }

    /**
     * @param failoverYaml the cluster's {@code failover} settings
     * @param cloud        the Kubernetes/AWS clients, when the runbook has cloud steps
     */
    public FailoverDrill(EmbeddedKafkaBroker broker, PostgresCluster pg, String cluster, String failoverYaml, String extraYaml,
                         Optional<CloudClients> cloud) throws Exception {
        this(broker, pg, cluster, ConfigLoader.parse(yaml(cluster, pg, failoverYaml, extraYaml), "drill", env -> null), cloud);
    }

    /** The pipeline for a configuration of the caller's, e.g. {@link #yaml} with other credentials for a node. */
    public FailoverDrill(EmbeddedKafkaBroker broker, PostgresCluster pg, String cluster, DrpilotConfig config,
                         Optional<CloudClients> cloud) throws Exception {
        this.pg = pg;
        this.cluster = cluster;
        this.config = config;
        this.stateDir = Files.createTempDirectory("drpilot-drill-");
        List<Topic<?, ?>> topics = new ArrayList<>(new LinkedHashSet<>(concat(IngestService.TOPICS, DetectorService.TOPICS)));
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, topics, 0, Optional.empty(), Duration.ofSeconds(30));
        }
        this.kafka = broker.clientProperties();
        this.audit = new AuditLog(new KafkaProducer<>(producerProperties(kafka), new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()), kafka);
        running.add(audit);
        running.add(new IngestService(config, new CollectorIdentity(config.collector().id(), config.collector().vantage(), "drill"), kafka,
                Clock.systemUTC()).start());
        DetectorService detector = new DetectorService(config, kafka, TestNames.unique("drill-detector"), stateDir).start();
        running.add(detector);
        // As `drpilot act` does: the node agents' leases and commands, for the nodes that have an agent.
        NodeAgents agents = NodeAgents.connect(kafka, Clock.systemUTC());
        running.add(agents);
        RunbookExecutor executor = new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(),
                cloud, Optional.of(agents)), Clock.systemUTC());
        DeadLetters deadLetters = DeadLetters.open(kafka, audit, Clock.systemUTC());
        running.add(deadLetters);
        running.add(new FailoverService(config, kafka, TestNames.unique("drill-failover"), audit, executor, deadLetters, Clock.systemUTC()).start());
        await("the detector running").atMost(Duration.ofSeconds(60))
                .until(() -> detector.state() == KafkaStreams.State.RUNNING);
    }

    public DrpilotConfig config() {
        return config;
    }

    public AuditLog audit() {
        return audit;
    }

    /** The DR plan's defaults, but for how often replication is read (1s instead of 5s) and failover switched on. */
    public static String yaml(String cluster, PostgresCluster pg, String failoverYaml, String extraYaml) {
        return yaml(cluster, pg, failoverYaml, extraYaml, false);
    }

    /** The same, and with {@code agents} an {@code agent:} section on every node ({@link DrillAgents#agentYaml}). */
    public static String yaml(String cluster, PostgresCluster pg, String failoverYaml, String extraYaml, boolean agents) {
        StringBuilder nodes = new StringBuilder();
        for (PostgresNode node : pg.nodes()) {
            nodes.append("      - {name: ").append(node.name()).append(", host: ").append(node.host()).append(", port: ")
                    .append(node.port()).append(", user: postgres")
                    .append(node == pg.primary() ? ", role: primary" : node == pg.replica(0) ? ", priority: 80" : ", priority: 40")
                    .append(agents ? ", agent: " + DrillAgents.agentYaml(node) : "")
                    .append("}\n");
        }
        return """
                collector: {id: %1$s-collector, vantage: drill-eu-1, heartbeatInterval: 2s}
                ingestApi: {enabled: false}
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    replicationInterval: 1s
                    nodes:
                %2$s    failover: %4$s
                %3$s""".formatted(cluster, nodes, extraYaml, failoverYaml);
    }

    /**
     * What one kill did.
     *
     * @param command the incident's failover command (its evidence, and when the detector issued it)
     * @param killedAt when the kill began
     * @param steps the runbook's step records, in order (each timed)
     * @param writerEnded kill → the writer's last statement on the old primary failed
     * @param clientAttempts the new primary's client, attempt by attempt: ms after the kill it began, how long it took, its outcome
     */
    public record Result(Duration toWritable, String newPrimary, int acknowledged, int lost, ActionRecord summary, FailoverCommand command,
                         Instant killedAt, List<ActionRecord> steps, Duration writerEnded, List<String> clientAttempts) {
        /** Kill → the detector's command (detection, on this host's clock). */
        public Duration toCommand() {
            return Duration.between(killedAt, command.getIssuedAt());
        }
    }

    /**
     * Runs a writer against the primary (one row every 20 ms, each commit acknowledged before the
     * next), kills the primary's postmaster once the detectors have watched it for a while, and
     * waits for a replica to take writes and the failover's summary.
     */
    public Result killPrimary(Duration timeout) throws Exception {
        return killPrimary(timeout, () -> { });
    }

    /** The same, {@code alongWithPrimary} killing more (the primary's agent: the machine lost) at the same instant, just before. */
    public Result killPrimary(Duration timeout, Runnable alongWithPrimary) throws Exception {
        PostgresNode primary = pg.primary();
        primary.execute("CREATE TABLE IF NOT EXISTS drill (id bigint PRIMARY KEY)");
        Set<Long> acknowledged = new ConcurrentSkipListSet<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> write(primary, acknowledged, writing), "drill-writer");
        writer.start();
        // Watched long enough: every vantage has reported the primary healthy a few times.
        await("rows acknowledged before the kill").atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 250);
        Duration[] writerEnded = new Duration[1];
        Instant killedAt = Instant.now();
        // A client per replica, each trying every 50 ms: one client trying them in turn would count the time it spends
        // on a replica the runbook is restarting (repoint) against the one already promoted. They start before the kill
        // (a replica refuses writes until it is promoted): started after it, they began 1.4-2.3 s late, as long as the
        // kill took to see the postmaster gone, which the bench counted as failover time whenever the promotion was sooner.
        AtomicReference<PostgresNode> promotedNode = new AtomicReference<>();
        AtomicReference<Instant> writableAt = new AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        Map<String, List<String>> attempts = new ConcurrentHashMap<>();
        for (PostgresNode replica : pg.replicas()) {
            List<String> tried = Collections.synchronizedList(new ArrayList<>());
            attempts.put(replica.name(), tried);
            Thread client = new Thread(() -> {
                while (writableAt.get() == null && !Thread.currentThread().isInterrupted()) {
                    Instant began = Instant.now();
                    Optional<String> refusal = refusalOfAWrite(replica);
                    tried.add(Duration.between(killedAt, began).toMillis() + "+" + Duration.between(began, Instant.now()).toMillis() + " ms "
                            + refusal.orElse("ok"));
                    if (refusal.isEmpty()) {
                        Instant at = Instant.now();
                        if (writableAt.compareAndSet(null, at)) {
                            promotedNode.set(replica);
                        }
                        return;
                    }
                    pause(Duration.ofMillis(50));
                }
            }, "drill-client-" + replica.name());
            client.setDaemon(true);
            clients.add(client);
            client.start();
        }
        alongWithPrimary.run();
        primary.kill();
        writing.set(false);
        // The client polls the replicas from the kill on: the writer's last statement may take a while to fail on the
        // dead primary, and waiting for it first would count that wait as failover time.
        Thread writerEnd = new Thread(() -> {
            try {
                writer.join();
                writerEnded[0] = Duration.between(killedAt, Instant.now());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "drill-writer-end");
        writerEnd.start();

        try {
            await("a replica that takes writes").atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> promotedNode.get() != null);
        } finally {
            clients.forEach(Thread::interrupt);
        }
        PostgresNode[] promoted = {promotedNode.get()};
        Duration toWritable = Duration.between(killedAt, writableAt.get());
        writerEnd.join();
        int acked = acknowledged.size();
        ActionRecord[] summary = new ActionRecord[1];
        await("the failover's summary").atMost(Duration.ofSeconds(60)).until(() -> {
            summary[0] = audit.read(killedAt.minusSeconds(60), record -> cluster.equals(record.getCluster())
                    && record.getKind() == ActionKind.FAILOVER_SUMMARY).stream().reduce((a, b) -> b).orElse(null);
            return summary[0] != null;
        });
        Set<Long> present = new HashSet<>();
        try (Connection connection = promoted[0].connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM drill")) {
            while (rows.next()) {
                present.add(rows.getLong(1));
            }
        }
        int lost = (int) acknowledged.stream().filter(id -> !present.contains(id)).count();
        List<ActionRecord> steps = audit.incident(summary[0].getIncidentId(), killedAt.minusSeconds(60)).stream()
                .filter(record -> record.getKind() == ActionKind.FAILOVER_STEP && record.getStatus() != ActionStatus.STARTED)
                .sorted(Comparator.comparing(ActionRecord::getStartedAt)).toList();
        return new Result(toWritable, promoted[0].name(), acked, lost, summary[0], command(summary[0].getIncidentId()), killedAt, steps,
                writerEnded[0], List.copyOf(attempts.get(promoted[0].name())));
    }

    /**
     * Freezes the primary (SIGSTOP: it holds its port but answers nothing, like a stalled host)
     * for {@code blip}, then thaws it. The duration is the scenario, not a wait for something.
     */
    public void freezePrimaryFor(Duration blip) throws InterruptedException {
        pg.primary().freeze();
        try {
            Thread.sleep(blip.toMillis());
        } finally {
            pg.primary().thaw();
        }
    }

    private static void write(PostgresNode primary, Set<Long> acknowledged, AtomicBoolean writing) {
        long next = 1;
        try (Connection connection = primary.connect(); Statement statement = connection.createStatement()) {
            while (writing.get()) {
                statement.execute("INSERT INTO drill VALUES (" + next + ")");
                acknowledged.add(next++);
                Thread.sleep(20);   // a steady 50 rows/s, as a paced client would write
            }
        } catch (SQLException e) {
            // The primary died under the writer: what it acknowledged until then is what counts.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The failover command of an incident. */
    private FailoverCommand command(String incidentId) {
        return commands().stream().filter(command -> incidentId.equals(command.getIncidentId())).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no failover command for incident " + incidentId + " on "
                        + Topics.FAILOVER_COMMANDS.name()));
    }

    /** Every failover command about this drill's cluster on drpilot.failover.commands so far (read to its end). */
    public List<FailoverCommand> commands() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, FailoverCommand> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                Topics.FAILOVER_COMMANDS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.FAILOVER_COMMANDS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<FailoverCommand> found = new ArrayList<>();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<String, FailoverCommand> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && cluster.equals(record.value().getCluster())) {
                        found.add(record.value());
                    }
                }
            }
            return found;
        }
    }

    /** The clients' pace between attempts (a paced client, not a wait for something). */
    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Empty when {@code node} took a write; else why not (SQLSTATE and the first words of the message). */
    private static Optional<String> refusalOfAWrite(PostgresNode node) {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "1");
        props.setProperty("socketTimeout", "2");
        try (Connection connection = DriverManager.getConnection(node.jdbcUrl(), props); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO drill VALUES (-1) ON CONFLICT DO NOTHING");
            return Optional.empty();
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            return Optional.of(e.getSQLState() + " " + message.substring(0, Math.min(60, message.length())));
        }
    }

    private static Map<String, Object> producerProperties(Map<String, Object> kafka) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    private static <T> List<T> concat(List<? extends T> a, List<? extends T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("drill: closing " + running.get(i) + " failed: " + e);
            }
        }
    }
}
