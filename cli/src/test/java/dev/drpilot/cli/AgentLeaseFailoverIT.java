package dev.drpilot.cli;

import dev.drpilot.agent.NodeAgent;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.LeaseState;
import dev.drpilot.failover.FailoverActuator;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.StepFactory;
import dev.drpilot.failover.StepOutcome;
import dev.drpilot.failover.agent.NodeAgents;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Node agents beside a real primary and replica, the failover actuator, one broker: the agent of the primary reaches the
 * broker only through a TCP proxy of the test's, which can black-hole that connection (it stops forwarding and closes
 * nothing) while clients still reach the primary directly.
 *
 * <p>The detector's part is played by the test: the failover command is written once the old primary stopped answering,
 * as primary-down would after its hold (its probes reach the primary over loopback just like the clients, so nothing fails
 * over while the cut-off agent has not fenced it yet). With the agent's {@code fence: stop} the old primary then refuses
 * connections; the cluster's {@code unreachablePrimary: refuse} makes the closed port alone not enough, so the promotion
 * must come from the lease: its SELF_FENCED cannot reach Kafka through the black hole.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLeaseFailoverIT {
    private static final String CLUSTER = "leasefo";
    private static final Duration TTL = Duration.ofSeconds(3);

    private static Path kafkaDir;
    private static BlackHoleProxy proxy;
    private static EmbeddedKafkaBroker broker;
    private static PostgresCluster pg;
    private static DrpilotConfig config;
    private static NodeAgent primaryAgent;
    private static NodeAgent replicaAgent;

    @BeforeAll
    static void start() throws Exception {
        kafkaDir = Files.createTempDirectory("drpilot-leasefo-kafka-");
        int agentsListener = BlackHoleProxy.freePort();
        proxy = new BlackHoleProxy(agentsListener);
        broker = EmbeddedKafkaBroker.builder(kafkaDir).proxiedListener("AGENTS", agentsListener, proxy.port()).build().start();
        pg = PostgresCluster.start(CLUSTER, 1);
        pg.primary().execute("CREATE TABLE writes (id bigserial PRIMARY KEY, node text)");
        config = ConfigLoader.parse(yaml(), "leasefo", env -> null);
        List<Topic<?, ?>> topics = new ArrayList<>(FailoverActuator.TOPICS);
        topics.add(Topics.HEALTH_OBSERVATIONS);
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, topics, 1, Optional.empty(), Duration.ofSeconds(30));
        }
        Map<String, Object> throughProxy = new HashMap<>();
        throughProxy.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + proxy.port());
        primaryAgent = NodeAgent.of(config, CLUSTER, pg.primary().name(), throughProxy, new WorkerHealth()).start();
        replicaAgent = NodeAgent.of(config, CLUSTER, pg.replica(0).name(), broker.clientProperties(), new WorkerHealth()).start();
        await("the primary's agent holding the lease").atMost(Duration.ofSeconds(30)).until(() -> newestLease().filter(lease ->
                lease.getNode().equals(pg.primary().name()) && lease.getState() == LeaseState.HOLDING).isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {primaryAgent, replicaAgent, pg, broker, proxy}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (kafkaDir != null) {
            try (var files = Files.walk(kafkaDir)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static String yaml() {
        String agent = "{dataDir: %s, bin: /usr/lib/postgresql/15/bin%s, leaseTtl: 3s, renewInterval: 500ms, stopBudget: 1s, fence: %s,"
                + " checkInterval: 200ms, queryTimeout: 400ms, bind: 127.0.0.1, listenPort: 0}";
        String osUser = "root".equals(System.getProperty("user.name")) ? ", osUser: postgres" : "";
        PostgresNode primary = pg.primary();
        PostgresNode replica = pg.replica(0);
        return """
                collector: {id: leasefo-collector, vantage: it}
                ingestApi: {enabled: false}
                components: [{name: leasefo-db, kind: database}]
                clusters:
                  %1$s:
                    component: leasefo-db
                    nodes:
                      - {name: %2$s, host: 127.0.0.1, port: %3$d, user: postgres, role: primary, agent: %4$s}
                      - {name: %5$s, host: 127.0.0.1, port: %6$d, user: postgres, priority: 80, agent: %7$s}
                    failover: {mode: auto, runbook: lease, unreachablePrimary: refuse}
                runbooks:
                  lease:
                    steps:
                      - {type: check, timeout: 10s}
                      - {type: fence, method: stop, timeout: 10s}
                      - {type: promote, method: postgres, timeout: 30s}
                      - {type: notify}
                """.formatted(CLUSTER, primary.name(), primary.port(), agent.formatted(primary.dataDir(), osUser, "stop"),
                replica.name(), replica.port(), agent.formatted(replica.dataDir(), osUser, "demote"));
    }

    @Test
    @Order(1)
    void fenceStopAsksTheAgentFirstAndTheAgentStopsItsPrimaryAndSaysSo() throws Exception {
        PostgresNode primary = pg.primary();
        ClusterConfig cluster = config.clusters().get(CLUSTER);
        Runbook.Step fenceStop = config.runbooks().get("lease").steps().get(1);
        long began = System.nanoTime();
        StepOutcome outcome;
        try (NodeAgents agents = NodeAgents.connect(broker.clientProperties(), Clock.systemUTC())) {
            StepFactory steps = new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty(), Optional.of(agents));
            outcome = steps.create(fenceStop, cluster).run(new FailoverContext("fence-it", cluster, cluster.node(primary.name()), Instant.now(), false),
                    Duration.ofSeconds(10));
        }
        long fenceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        assertThat(outcome.attributes()).containsEntry("fenced", "agent-stopped").containsEntry("agentReply", "DONE")
                .containsEntry("agent.fenced", "agent-stopped").containsKey("agent.stopMillis");
        assertThat(outcome.detail()).startsWith("the agent of " + primary.name() + " fenced it: stopped in");
        assertThat(primary.isRunning()).as("the agent stopped it").isFalse();
        assertThat(primary.dataDir().resolve("standby.signal")).exists();
        List<ConsumerRecord<String, AgentReply>> replies = KafkaTestClients.read(broker, Topics.AGENT_REPLIES.name(), 10,
                Topics.AGENT_REPLIES.keySerde().deserializer(), Topics.AGENT_REPLIES.valueSerde().deserializer(), Duration.ofSeconds(2));
        assertThat(replies).extracting(ConsumerRecord::value).singleElement().satisfies(reply -> {
            assertThat(reply.getOutcome()).isEqualTo(AgentReplyOutcome.DONE);
            assertThat(reply.getNode()).isEqualTo(primary.name());
            assertThat(reply.getAttributes()).containsEntry("fenced", "agent-stopped");
            assertThat(reply.getDetail()).contains("postmaster gone");
        });
        assertThat(newestLease()).get().satisfies(lease -> {
            assertThat(lease.getState()).as("the agent ended its lease").isEqualTo(LeaseState.SELF_FENCED);
            assertThat(lease.getDetails().get("reason")).startsWith("FENCE fence-");
        });
        System.out.printf("LEASE-FO FIGURES: fence stop through the agent %d ms (stop %s ms)%n", fenceMillis, outcome.attributes().get("agent.stopMillis"));

        // Back as it was, for the next test: a primary again, and its agent holds the lease again.
        Files.delete(primary.dataDir().resolve("standby.signal"));
        primary.start();
        await("the primary's agent holding the lease again").atMost(Duration.ofSeconds(30)).until(() -> newestLease().filter(lease ->
                lease.getNode().equals(primary.name()) && lease.getState() == LeaseState.HOLDING).isPresent());
    }

    @Test
    @Order(2)
    void anAgentCutOffFromKafkaStopsItsPrimaryAndTheActuatorPromotesOnlyOnceTheLeaseExpired() throws Exception {
        PostgresNode old = pg.primary();
        PostgresNode replica = pg.replica(0);
        try (FailoverActuator actuator = new FailoverActuator(config, broker.clientProperties(), Clock.systemUTC()).start();
             Writer oldWriter = new Writer(old);
             Writer newWriter = new Writer(replica)) {
            await("both writers running").atMost(Duration.ofSeconds(10)).until(() -> oldWriter.acks.size() > 20);
            assertThat(actuator.workers()).isNotEmpty();

            long cutWall = System.currentTimeMillis();
            proxy.blackHole();
            await(old.name() + " stopped by its own agent").atMost(TTL.plusSeconds(5)).until(() -> !old.isRunning());
            long stoppedWall = System.currentTimeMillis();
            String incident = CLUSTER + "-" + UUID.randomUUID();
            sendFailover(incident, old.name());

            ActionRecord summary = await("the failover's summary").atMost(Duration.ofSeconds(60)).until(() -> actions(incident).stream()
                    .filter(record -> record.getKind() == ActionKind.FAILOVER_SUMMARY).findFirst(), Optional::isPresent).orElseThrow();
            assertThat(summary.getStatus()).as(summary.getDetail()).isEqualTo(ActionStatus.SUCCEEDED);
            List<ActionRecord> steps = actions(incident);
            ActionRecord fence = succeeded(steps, "fence stop");
            assertThat(fence.getAttributes()).containsEntry("agentReply", "none").containsEntry("fenced", "stopped-port-closed")
                    .as("the actuator saw the agent stop renewing (500 ms interval), so it waited only briefly for its reply")
                    .containsKey("agentSilentMillis");
            assertThat(fence.getDetail()).contains("did not answer within 300 ms (its lease renewals stopped");
            ActionRecord promote = succeeded(steps, "promote postgres");
            assertThat(promote.getAttributes()).containsEntry("promotedPast", "lease-expired").containsEntry("lease", "expired")
                    .containsEntry("promotionIntent", "DONE");
            await("the new primary takes writes").atMost(Duration.ofSeconds(10)).until(() -> !newWriter.acks.isEmpty());

            AgentLease lastHolding = leases().stream().filter(lease -> lease.getNode().equals(old.name()) && lease.getState() == LeaseState.HOLDING)
                    .reduce((a, b) -> b).orElseThrow();
            long lastHoldingSent = lastHolding.getRenewedAt().toEpochMilli();
            long oldLast = oldWriter.acks.get(oldWriter.acks.size() - 1);
            long newFirst = newWriter.acks.get(0);
            assertThat(oldLast).as("the old primary's last acknowledged commit came before the new primary's first").isLessThan(newFirst);
            assertThat(oldLast).as("the old primary took no write later than the TTL after its newest renewal on the topic")
                    .isLessThan(lastHoldingSent + TTL.toMillis());
            assertThat(newFirst - lastHoldingSent).as("the promotion came only after the lease expired").isGreaterThanOrEqualTo(TTL.toMillis());
            assertThat(leases()).as("the SELF_FENCED did not get through the black hole").noneMatch(lease -> lease.getNode().equals(old.name())
                    && lease.getState() == LeaseState.SELF_FENCED && lease.getRenewedAt().toEpochMilli() >= cutWall);
            System.out.printf("LEASE-FO FIGURES: cut -> old primary stopped %d ms; newest renewal on the topic -> old's last commit %d ms;"
                            + " cut -> new primary's first commit %d ms; old's last commit -> new's first %d ms; lease wait: %s; %d + %d commits%n",
                    stoppedWall - cutWall, oldLast - lastHoldingSent, newFirst - cutWall, newFirst - oldLast, promote.getAttributes().get("leaseDetail"),
                    oldWriter.acks.size(), newWriter.acks.size());
        }
    }

    @Test
    @Order(3)
    void theOldPrimaryStartedAgainAsItWasIsFencedByItsOwnAgentOnSight() throws Exception {
        PostgresNode old = pg.primary();
        PostgresNode current = pg.replica(0);
        await("the new primary's agent holding the lease").atMost(Duration.ofSeconds(10)).until(() -> newestLease().filter(lease ->
                lease.getNode().equals(current.name()) && lease.getState() == LeaseState.HOLDING).isPresent());
        // The old primary's host comes back with its network: its agent reaches Kafka again, and its server starts as it was.
        primaryAgent.close();
        primaryAgent = NodeAgent.of(config, CLUSTER, old.name(), broker.clientProperties(), new WorkerHealth()).start();
        // Its own fence left standby.signal (every fence does): the worst case is a primary that comes back writable anyway —
        // the fence never got to write it (the machine died mid-fence), or someone removed it.
        Files.deleteIfExists(old.dataDir().resolve("standby.signal"));
        long startedAt = System.currentTimeMillis();
        old.start();
        assertThat(old.isInRecovery()).as("started as it was: a writable primary").isFalse();

        await(old.name() + " fenced by its own agent").atMost(Duration.ofSeconds(10)).until(() -> !old.isRunning());
        long fencedAt = System.currentTimeMillis();

        assertThat(old.dataDir().resolve("standby.signal")).as("started again, it is a standby").exists();
        assertThat(leases()).as("it never took the lease").noneMatch(lease -> lease.getNode().equals(old.name())
                && lease.getState() == LeaseState.HOLDING && lease.getRenewedAt().toEpochMilli() >= startedAt);
        assertThat(newestLease()).get().satisfies(lease -> assertThat(lease.getNode()).isEqualTo(current.name()));
        assertThat(current.isInRecovery()).as("the new primary untouched").isFalse();
        List<ConsumerRecord<String, HealthObservation>> seen = KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 100_000,
                Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(), Duration.ofSeconds(1));
        assertThat(seen).extracting(ConsumerRecord::value).filteredOn(observation -> old.name().equals(observation.getNode()))
                .anySatisfy(observation -> assertThat(observation.getDetails()).containsEntry("fencedAsReplacedBy", current.name()));
        System.out.printf("LEASE-FO FIGURES: replaced old primary started as it was -> stopped by its agent %d ms%n", fencedAt - startedAt);
    }

    private static ActionRecord succeeded(List<ActionRecord> records, String name) {
        return records.stream().filter(record -> record.getKind() == ActionKind.FAILOVER_STEP && record.getName().equals(name)
                && record.getStatus() == ActionStatus.SUCCEEDED).findFirst().orElseThrow(() -> new AssertionError("no SUCCEEDED " + name + " in "
                + records.stream().map(record -> record.getName() + " " + record.getStatus() + ": " + record.getDetail()).toList()));
    }

    private static void sendFailover(String incident, String failedNode) throws Exception {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        Instant now = Instant.now();
        FailoverCommand command = FailoverCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setIncidentId(incident).setCluster(CLUSTER)
                .setComponent("leasefo-db").setFailedNode(failedNode).setReason("primary-down (played by the test)").setMode(FailoverMode.AUTO)
                .setTargetNode(null).setForce(false).setDetectedAt(now).setIssuedAt(now).setEvidence(List.of()).build();
        try (KafkaProducer<String, FailoverCommand> producer = new KafkaProducer<>(props, new StringSerializer(),
                Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), CLUSTER, command)).get(10, TimeUnit.SECONDS);
        }
    }

    private static List<ActionRecord> actions(String incident) {
        return KafkaTestClients.read(broker, Topics.ACTIONS.name(), 10_000, Topics.ACTIONS.keySerde().deserializer(),
                Topics.ACTIONS.valueSerde().deserializer(), Duration.ofMillis(500)).stream().map(ConsumerRecord::value)
                .filter(record -> incident.equals(record.getIncidentId())).toList();
    }

    private static List<AgentLease> leases() {
        return KafkaTestClients.read(broker, Topics.AGENT_LEASES.name(), 100_000, Topics.AGENT_LEASES.keySerde().deserializer(),
                Topics.AGENT_LEASES.valueSerde().deserializer(), Duration.ofMillis(500)).stream().map(ConsumerRecord::value)
                .filter(lease -> CLUSTER.equals(lease.getCluster())).toList();
    }

    private static Optional<AgentLease> newestLease() {
        List<AgentLease> leases = leases();
        return leases.isEmpty() ? Optional.empty() : Optional.of(leases.get(leases.size() - 1));
    }

    /** Commits a row every 20 ms when the node takes it, and records when each commit was acknowledged (wall clock, this host). */
    private static final class Writer implements AutoCloseable {
        final List<Long> acks = new CopyOnWriteArrayList<>();
        private final PostgresNode node;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private Connection connection;

        Writer(PostgresNode node) {
            this.node = node;
            timer.scheduleWithFixedDelay(this::write, 0, 20, TimeUnit.MILLISECONDS);
        }

        private void write() {
            try {
                if (connection == null) {
                    Properties props = new Properties();
                    props.setProperty("user", "postgres");
                    props.setProperty("connectTimeout", "1");
                    props.setProperty("socketTimeout", "2");
                    connection = DriverManager.getConnection(node.jdbcUrl(), props);
                }
                try (Statement statement = connection.createStatement()) {
                    statement.executeUpdate("INSERT INTO writes (node) VALUES ('" + node.name() + "')");
                }
                acks.add(System.currentTimeMillis());
            } catch (SQLException e) {
                // Refused (down) or read-only (a standby): no acknowledgement, try again next time on a new connection.
                closeConnection();
            }
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    System.err.println("writer on " + node.name() + ": closing: " + e);
                }
                connection = null;
            }
        }

        @Override
        public void close() {
            timer.shutdown();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeConnection();
        }
    }
}
