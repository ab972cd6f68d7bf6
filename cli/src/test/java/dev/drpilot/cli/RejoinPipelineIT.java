package dev.drpilot.cli;

import dev.drpilot.agent.NodeAgent;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.FailoverActuator;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresInstallation;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rejoin through the whole pipeline on real PostgreSQL (wal_log_hints on) and one broker: collectors → detectors → the
 * failover actuator → the old primary's node agent, and the agent's reply recorded by the actuator. First with
 * {@code failover.rejoin: auto}: the primary is killed and failed over; its host "returns" — the server started as it was,
 * a writable primary on the old timeline that takes rows nobody replicates — with its agent, which reads the rejoin the
 * actuator asked for at the end of the failover, (or the fence on sight) stops it, rewinds it and confirms it streams; the
 * REJOIN record names the rows it discarded. Then a switchover back to it, and with the policy switched to manual (the
 * actuator restarted with the new configuration), {@code drpilot rejoin} of the switchover's old primary by hand.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RejoinPipelineIT {
    private static final Duration PIPELINE = Duration.ofSeconds(90);

    private static EmbeddedKafkaBroker broker;
    private static PostgresCluster pg;
    private static String cluster;
    private static Path stateDir;
    private static final List<AutoCloseable> running = new ArrayList<>();
    private static FailoverActuator actuator;
    private static Instant began;
    private static String failover;

    @BeforeAll
    static void start(EmbeddedKafkaBroker shared) throws Exception {
        broker = shared;
        cluster = TestNames.unique("rejoinpipe");
        pg = PostgresCluster.start(cluster, 1, true);
        stateDir = Files.createTempDirectory("drpilot-rejoin-it-");
        DrpilotConfig config = config("auto");
        List<Topic<?, ?>> topics = new ArrayList<>(new LinkedHashSet<>(concat(IngestService.TOPICS,
                DetectorService.TOPICS, FailoverActuator.TOPICS, NodeAgent.TOPICS)));
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, topics, 0, Optional.empty(), Duration.ofSeconds(30));
        }
        running.add(new IngestService(config, new CollectorIdentity(config.collector().id(), config.collector().vantage(), "rejoin-it"),
                broker.clientProperties(), Clock.systemUTC()).start());
        DetectorService detector = new DetectorService(config, broker.clientProperties(), TestNames.unique("rejoin-detector"), stateDir).start();
        running.add(detector);
        actuator = new FailoverActuator(config, broker.clientProperties(), Clock.systemUTC()).start();
        await("the detector running").atMost(Duration.ofSeconds(60)).until(() -> detector.state() == KafkaStreams.State.RUNNING);
        began = Instant.now();
    }

    @AfterAll
    static void stop() {
        if (actuator != null) {
            actuator.close();
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("closing " + running.get(i) + " failed: " + e);
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** Both nodes have agents (short TTLs, no dead-man switch: the lease is not what this test is about). */
    private static String yaml(String rejoin) {
        StringBuilder nodes = new StringBuilder();
        String osUser = "root".equals(System.getProperty("user.name")) ? ", osUser: postgres" : "";
        for (PostgresNode node : pg.nodes()) {
            nodes.append("      - {name: ").append(node.name()).append(", host: ").append(node.host()).append(", port: ").append(node.port())
                    .append(", user: postgres").append(node == pg.primary() ? ", role: primary" : ", priority: 80")
                    .append(", agent: {dataDir: ").append(node.dataDir()).append(", bin: ").append(PostgresInstallation.find().bin()).append(osUser)
                    .append(", leaseTtl: 3s, renewInterval: 500ms, stopBudget: 1s, checkInterval: 250ms, queryTimeout: 1s, deadMan: false,")
                    .append(" bind: 127.0.0.1, listenPort: 0}}\n");
        }
        return """
                kafka: {bootstrapServers: "%1$s"}
                collector: {id: %2$s-collector, vantage: rejoin-eu-1, heartbeatInterval: 2s}
                ingestApi: {enabled: false}
                components: [{name: %2$s-db, kind: database}]
                clusters:
                  %2$s:
                    component: %2$s-db
                    replicationInterval: 1s
                    nodes:
                %3$s    failover: {mode: auto, rejoin: %4$s}
                """.formatted(broker.bootstrapServers(), cluster, nodes, rejoin);
    }

    private static DrpilotConfig config(String rejoin) {
        return ConfigLoader.parse(yaml(rejoin), "rejoin-it", env -> null);
    }

    private static Path configFile(String rejoin) throws Exception {
        return Files.writeString(stateDir.resolve("drpilot-" + rejoin + ".yaml"), yaml(rejoin));
    }

    @Test
    @Order(1)
    void afterAFailoverTheReturningOldPrimaryIsFencedRewoundAndStreamsWithItsDiscardedRowsOnRecord() throws Exception {
        PostgresNode old = pg.primary();
        PostgresNode current = pg.replica(0);
        old.execute("CREATE TABLE accounts (id int PRIMARY KEY, owner text)");
        old.execute("INSERT INTO accounts SELECT g, 'kept' FROM generate_series(1, 10) g");
        pg.awaitCaughtUp(Duration.ofSeconds(30));
        await("the collector has watched " + old.name() + " answer").atMost(PIPELINE).until(() -> healthy(old) >= 3);

        Instant killedAt = Instant.now();
        old.kill();
        ActionRecord summary = awaitRecord("the failover's summary", record -> record.getKind() == ActionKind.FAILOVER_SUMMARY
                && record.getStatus() == ActionStatus.SUCCEEDED && !record.getAttributes().containsKey("fencedNode"), killedAt);
        failover = summary.getIncidentId();
        assertThat(summary.getAttributes()).containsEntry("oldPrimary", old.name()).containsEntry("newPrimary", current.name());
        ActionRecord requested = awaitRecord("the automatic rejoin request", record -> record.getKind() == ActionKind.REJOIN
                && failover.equals(record.getIncidentId()), killedAt);
        assertThat(requested.getStatus()).as(requested.getDetail()).isEqualTo(ActionStatus.STARTED);
        assertThat(requested.getAttributes()).containsEntry("node", old.name()).containsEntry("newPrimary", current.name())
                .containsEntry("port", Integer.toString(current.port())).containsEntry("allowBaseBackup", "false");

        // The host returns: the server starts as it was, a writable primary on the old timeline, and takes rows at once.
        old.start();
        // synchronous_commit on (the harness turns it off for speed): the rows are in its WAL before anything stops it.
        sql(old, "SET synchronous_commit = on", "INSERT INTO accounts SELECT g, 'lost' FROM generate_series(11, 17) g");
        Instant returned = Instant.now();
        try (NodeAgent agent = NodeAgent.of(config("auto"), cluster, old.name(), broker.clientProperties(), new WorkerHealth()).start()) {
            ActionRecord rejoin = awaitRecord("the rejoin's outcome", record -> record.getKind() == ActionKind.REJOIN
                    && "rejoin".equals(record.getName()) && old.name().equals(record.getAttributes().get("node")), returned);
            Duration took = Duration.between(returned, rejoin.getFinishedAt());

            assertThat(rejoin.getStatus()).as(rejoin.getDetail()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(rejoin.getIncidentId()).isEqualTo(failover);
            assertThat(rejoin.getCluster()).isEqualTo(cluster);
            assertThat(rejoin.getAttributes()).containsEntry("method", "REWIND").containsEntry("discarded.rel.public.accounts", "7 inserted")
                    .containsEntry("divergence.timeline", "1").containsEntry("source.timeline", "2")
                    .containsEntry("streaming.from", current.host() + ":" + current.port()).containsKey("agentId")
                    .containsEntry("commandId", failover + "/rejoin/" + old.name());
            assertThat(rejoin.getDetail()).contains("public.accounts 7 inserted");
            // Fenced on sight by whoever came first: its agent (the rejoin stops a running primary) or the actuator.
            boolean stoppedByAgent = rejoin.getAttributes().containsKey("stopped");
            boolean fencedByActuator = !read(record -> record.getKind() == ActionKind.FAILOVER_SUMMARY
                    && old.name().equals(record.getAttributes().get("fencedNode")), returned).isEmpty();
            assertThat(stoppedByAgent || fencedByActuator).as("the returned old primary was stopped before the rewind").isTrue();
            System.out.printf("RejoinPipelineIT: returned old primary → rejoin recorded in %d ms (stopped by %s)%n", took.toMillis(),
                    stoppedByAgent ? "its agent" : "the fence on sight");

            assertThat(old.isInRecovery()).isTrue();
            assertThat(value(old, "SELECT count(*) FROM accounts WHERE owner = 'lost'")).isEqualTo("0");
            current.execute("INSERT INTO accounts VALUES (100, 'after the rejoin')");
            await(old.name() + " replays the new primary's writes").atMost(Duration.ofSeconds(30))
                    .until(() -> value(old, "SELECT count(*) FROM accounts WHERE id = 100").equals("1"));

            CliRun history = new CliRun();
            assertThat(history.run("failover", "history", "--config", configFile("auto").toString(), "--cluster", cluster)).isZero();
            assertThat(history.out.toString()).contains(failover).contains("rejoin-" + old.name()).contains("public.accounts 7 inserted");
        }
    }

    @Test
    @Order(2)
    void aSwitchoverBackWorksAndItsOldPrimaryIsRejoinedByHand() throws Exception {
        PostgresNode back = pg.primary();
        PostgresNode replaced = pg.replica(0);
        // The policy switched to manual: the actuator restarted with the new configuration.
        actuator.close();
        actuator = new FailoverActuator(config("manual"), broker.clientProperties(), Clock.systemUTC()).start();
        Path file = configFile("manual");

        Instant asked = Instant.now();
        CliRun switchover = new CliRun();
        assertThat(switchover.run("switchover", cluster, "--to", back.name(), "--config", file.toString())).as(switchover.err.toString()).isZero();
        ActionRecord summary = awaitRecord("the switchover's summary", record -> record.getKind() == ActionKind.FAILOVER_SUMMARY
                && record.getIncidentId().startsWith("switchover-") && record.getStatus() != ActionStatus.STARTED, asked);
        assertThat(summary.getStatus()).as(summary.getDetail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(summary.getAttributes()).containsEntry("newPrimary", back.name()).containsEntry("oldPrimary", replaced.name());
        assertThat(back.isInRecovery()).isFalse();
        assertThat(read(record -> record.getKind() == ActionKind.REJOIN && summary.getIncidentId().equals(record.getIncidentId()), asked))
                .as("no automatic rejoin with failover.rejoin: manual").isEmpty();

        CliRun refused = new CliRun();
        assertThat(refused.run("rejoin", cluster, back.name(), "--config", file.toString())).isZero();
        ActionRecord refusal = awaitRecord("the refusal to rejoin the current primary", record -> record.getKind() == ActionKind.REJOIN
                && record.getStatus() == ActionStatus.REFUSED && back.name().equals(record.getAttributes().get("node")), asked);
        assertThat(refusal.getDetail()).contains(back.name() + " is the current primary of cluster " + cluster);

        CliRun rejoin = new CliRun();
        assertThat(rejoin.run("rejoin", cluster, replaced.name(), "--config", file.toString())).as(rejoin.err.toString()).isZero();
        assertThat(rejoin.out.toString()).contains("rejoin of " + replaced.name()).contains("drpilot failover history");
        Instant started = Instant.now();
        try (NodeAgent agent = NodeAgent.of(config("manual"), cluster, replaced.name(), broker.clientProperties(), new WorkerHealth()).start()) {
            ActionRecord done = awaitRecord("the manual rejoin's outcome", record -> record.getKind() == ActionKind.REJOIN
                    && "rejoin".equals(record.getName()) && replaced.name().equals(record.getAttributes().get("node")), asked);
            System.out.printf("RejoinPipelineIT: drpilot rejoin → recorded in %d ms after the agent started%n",
                    Duration.between(started, done.getFinishedAt()).toMillis());
            assertThat(done.getStatus()).as(done.getDetail()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(done.getIncidentId()).startsWith("rejoin-" + cluster + "-" + replaced.name() + "-");
            assertThat(done.getAttributes()).containsEntry("method", "REWIND").containsEntry("streaming.from", back.host() + ":" + back.port());
            assertThat(done.getDetail()).contains("discarded: nothing");
            assertThat(replaced.isInRecovery()).isTrue();
            back.execute("INSERT INTO accounts VALUES (200, 'after the switchover')");
            await(replaced.name() + " replays the writes of " + back.name()).atMost(Duration.ofSeconds(30))
                    .until(() -> value(replaced, "SELECT count(*) FROM accounts WHERE id = 200").equals("1"));
        }
    }

    /** Health observations of {@code node} that found it answering since the pipeline started, read to the topic's end. */
    private static long healthy(PostgresNode node) {
        try (KafkaConsumer<String, HealthObservation> consumer = KafkaTestClients.consumer(broker, Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(),
                Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.HEALTH_OBSERVATIONS.name(), Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long count = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<String, HealthObservation> record : consumer.poll(Duration.ofMillis(200))) {
                    HealthObservation observation = record.value();
                    if (cluster.equals(observation.getCluster()) && node.name().equals(observation.getNode()) && observation.getOk()
                            && observation.getObservedAt().isAfter(began)) {
                        count++;
                    }
                }
            }
            return count;
        }
    }

    private static List<ActionRecord> read(Predicate<ActionRecord> filter, Instant since) throws Exception {
        return AuditLog.read(broker.clientProperties(), since.minusSeconds(5), record -> cluster.equals(record.getCluster()) && filter.test(record));
    }

    private static ActionRecord awaitRecord(String what, Predicate<ActionRecord> filter, Instant since) {
        ActionRecord[] found = new ActionRecord[1];
        await(what).atMost(PIPELINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<ActionRecord> records = read(filter, since);
            found[0] = records.isEmpty() ? null : records.get(records.size() - 1);
            return found[0] != null;
        });
        return found[0];
    }

    private static void sql(PostgresNode node, String... statements) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String value(PostgresNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }

    @SafeVarargs
    private static <T> List<T> concat(List<? extends T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<? extends T> list : lists) {
            all.addAll(list);
        }
        return all;
    }
}
