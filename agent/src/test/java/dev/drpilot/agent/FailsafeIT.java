package dev.drpilot.agent;

import dev.drpilot.agent.failsafe.FailsafePeers;
import dev.drpilot.agent.failsafe.LeaseSeen;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.Secret;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failsafe mode on real servers: a PostgreSQL primary and two streaming replicas, an agent beside each (in this JVM, each
 * on its own port), and a broker of their own that the test stops. Kafka down with every replica's agent confirming:
 * the primary keeps taking writes; one confirmation missing (an agent stopped, a promotion promised) or failsafe off: it
 * fences itself within the TTL, as without failsafe mode. One PostgreSQL cluster and one broker serve every test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailsafeIT {
    private static final Logger log = LoggerFactory.getLogger(FailsafeIT.class);
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration RENEW = Duration.ofMillis(500);
    private static final Duration STOP_BUDGET = Duration.ofSeconds(1);
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final Secret TOKEN = Secret.of("test", "failsafe-test-token");
    private static final String CLUSTER = "failsafe";

    private PostgresCluster cluster;
    private Path kafkaDir;
    private int kafkaPort;
    private EmbeddedKafkaBroker broker;
    private final List<Integer> agentPorts = new ArrayList<>();
    private final List<NodeAgent> agents = new ArrayList<>();
    private final List<WorkerHealth> healths = new ArrayList<>();

    @BeforeAll
    void startServers() throws Exception {
        cluster = PostgresCluster.start(CLUSTER, 2);
        cluster.primary().execute("CREATE TABLE writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
        for (PostgresNode replica : cluster.replicas()) {
            // A restarted primary is found again within a moment instead of the default 5 s.
            replica.execute("ALTER SYSTEM SET wal_retrieve_retry_interval = '200ms'");
            replica.execute("SELECT pg_reload_conf()");
        }
        kafkaDir = Files.createTempDirectory("drpilot-failsafe-kafka-");
        kafkaPort = freePort();
        for (int i = 0; i < cluster.nodes().size(); i++) {
            agentPorts.add(freePort());
        }
        startBroker();
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, NodeAgent.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    @AfterEach
    void restore() {
        startBroker();
        agents.forEach(NodeAgent::close);
        agents.clear();
        healths.clear();
        PostgresNode primary = cluster.primary();
        if (!primary.isRunning()) {
            // The fence left standby.signal (started as it was, the node would be a standby): the next test needs it back as
            // the primary, as an operator would bring it back after deciding no failover happened.
            try {
                Files.deleteIfExists(primary.dataDir().resolve(Fence.STANDBY_SIGNAL));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            primary.start();
        }
        cluster.awaitStreaming(Duration.ofSeconds(30));
    }

    @AfterAll
    void stopServers() throws IOException {
        if (broker != null) {
            broker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (kafkaDir != null) {
            try (Stream<Path> files = Files.walk(kafkaDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @Test
    void kafkaDownForAMinuteWithEveryReplicaConfirmingThePrimaryKeepsTakingWrites() throws Exception {
        NodeAgent primaryAgent = startAgents(true);
        awaitHoldingSeenByEveryReplica();
        Writer writer = Writer.start(cluster.primary());
        await().atMost(Duration.ofSeconds(5)).until(() -> writer.commits.size() > 20);

        long cutAt = System.nanoTime();
        broker.close();
        await().atMost(TTL).until(() -> primaryAgent.lease().failsafe().isPresent());
        long failsafeFrom = System.nanoTime();
        await().atMost(RENEW.multipliedBy(2)).until(() -> healths.get(0).liveness().text().contains("renewing through failsafe: Kafka unreachable"));
        await().during(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> primaryAgent.lastFence().isEmpty()
                && primaryAgent.lease().state() == Lease.State.HOLDING);
        long outage = System.nanoTime() - cutAt;

        long backAt = System.nanoTime();
        startBroker();
        await().atMost(Duration.ofSeconds(20)).until(() -> primaryAgent.lease().failsafe().isEmpty());
        long kafkaAgain = System.nanoTime() - backAt;
        String agentId = primaryAgent.identity().agentId();
        List<AgentLease> records = await().atMost(Duration.ofSeconds(10)).until(() -> leases().stream()
                .filter(lease -> lease.getAgentId().equals(agentId)).toList(), list -> list.stream()
                .anyMatch(lease -> lease.getDetails().containsKey("failsafe")));
        writer.stop();

        AgentLease report = records.stream().filter(lease -> lease.getDetails().containsKey("failsafe")).findFirst().orElseThrow();
        assertThat(primaryAgent.lastFence()).isEmpty();
        assertThat(report.getState()).isEqualTo(LeaseState.HOLDING);
        assertThat(report.getDetails().get("failsafe")).matches("held \\d+\\.\\d s by 2 replicas");
        assertThat(Long.parseLong(report.getDetails().get("failsafeHeldMillis"))).isGreaterThan(OUTAGE.toMillis());
        assertThat(records.get(records.size() - 1).getState()).isEqualTo(LeaseState.HOLDING);
        assertThat(records).noneMatch(lease -> lease.getState() == LeaseState.SELF_FENCED);
        assertThat(writer.failure).isEmpty();
        long gap = writer.longestGapMillis();
        assertThat(gap).as("the longest pause between two acknowledged commits").isLessThan(1_000);
        log.info("FAILSAFE FIGURES: broker down {} ms; cut-off -> renewing through failsafe {} ms; slowest round (heartbeat + 2 answers)"
                        + " {} ms; {} commits, longest gap {} ms; broker back -> Kafka acknowledging again {} ms; lease record: {}",
                millis(outage), millis(failsafeFrom - cutAt), primaryAgent.failsafe().orElseThrow().keeper().slowestRoundMillis(),
                writer.commits.size(), gap, millis(kafkaAgain), report.getDetails());
    }

    @Test
    void oneReplicaAgentStoppedThePrimaryFencesItselfWithinTheTtl() throws Exception {
        NodeAgent primaryAgent = startAgents(true);
        awaitHoldingSeenByEveryReplica();
        agents.get(2).close();
        assertFencedWithinTheTtl(primaryAgent, "one replica's agent stopped");
        assertThat(primaryAgent.failsafe().orElseThrow().keeper().lastRefusal()).contains(cluster.replica(1).name() + ": no answer");
    }

    @Test
    void aReplicaThatPromisedAPromotionConfirmsNothingAndThePrimaryFencesItself() throws Exception {
        NodeAgent primaryAgent = startAgents(true);
        awaitHoldingSeenByEveryReplica();
        agents.get(1).promise().acknowledge("intent-from-the-test");
        assertFencedWithinTheTtl(primaryAgent, "a replica promised a promotion");
        assertThat(primaryAgent.failsafe().orElseThrow().keeper().lastRefusal())
                .contains(cluster.replica(0).name() + ": refused, promised the failover actuator a promotion (intent-from-the-test)");
    }

    @Test
    void withoutFailsafeModeThePrimaryFencesItselfWithinTheTtl() throws Exception {
        NodeAgent primaryAgent = startAgents(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> primaryAgent.lease().newestAcknowledgedSend().isPresent());
        assertFencedWithinTheTtl(primaryAgent, "failsafe off");
    }

    private void assertFencedWithinTheTtl(NodeAgent primaryAgent, String situation) throws Exception {
        Writer writer = Writer.start(cluster.primary());
        await().atMost(Duration.ofSeconds(5)).until(() -> writer.commits.size() > 20);
        long cutAt = System.nanoTime();
        broker.close();
        // Stopping the broker takes a while, and a renewal sent meanwhile may still be acknowledged: the lease is only
        // known to run from before the moment the broker was gone.
        long cutDoneAt = System.nanoTime();
        await().atMost(TTL.plusSeconds(5)).until(() -> primaryAgent.lastFence().isPresent());
        FenceGuard.FenceRecord fence = primaryAgent.lastFence().orElseThrow();
        writer.awaitStopped();
        assertThat(fence.outcome().writesStopped()).as(situation).isTrue();
        assertThat(fence.writesStoppedAt()).as(situation).isLessThanOrEqualTo(fence.writesEndBy());
        assertThat(fence.writesEndBy() - cutDoneAt).as(situation + ": the lease ran from before the cut").isLessThanOrEqualTo(TTL.toNanos());
        assertThat(writer.lastCommit()).as(situation + ": no commit after the TTL").isLessThan(fence.writesEndBy());
        log.info("FAILSAFE FIGURES ({}): cut-off -> writes stopped {} ms (TTL {} ms)", situation, millis(fence.writesStoppedAt() - cutAt),
                TTL.toMillis());
    }

    /** The three agents, started (the primary's first). */
    private NodeAgent startAgents(boolean failsafe) {
        List<PostgresNode> nodes = cluster.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            PostgresNode node = nodes.get(i);
            List<FailsafePeers.Peer> peers = new ArrayList<>();
            for (int j = 0; j < nodes.size(); j++) {
                if (j != i) {
                    peers.add(new FailsafePeers.Peer(nodes.get(j).name(), "127.0.0.1", nodes.get(j).port(), agentPorts.get(j)));
                }
            }
            WorkerHealth health = new WorkerHealth();
            NodeAgent agent = new NodeAgent(settings(node, agentPorts.get(i)), CLUSTER, node.name(), "failsafe-db", broker.clientProperties(),
                    health, NanoClock.SYSTEM, Clock.systemUTC(),
                    failsafe ? Optional.of(new FailsafePeers(CLUSTER, node.name(), TOKEN, peers)) : Optional.empty());
            agents.add(agent);
            healths.add(health);
            agent.start();
            health.started();
        }
        return agents.get(0);
    }

    /** Until every replica's agent has read the primary's newest lease: a lease left UNGUARDED by an earlier test is refused. */
    private void awaitHoldingSeenByEveryReplica() {
        LeaseSeen holding = new LeaseSeen(cluster.primary().name(), LeaseState.HOLDING);
        await().atMost(Duration.ofSeconds(15)).until(() -> agents.get(0).lease().newestAcknowledgedSend().isPresent()
                && agents.subList(1, agents.size()).stream().allMatch(agent -> agent.failsafe().orElseThrow().leases().newest()
                .filter(holding::equals).isPresent()));
    }

    private static AgentSettings settings(PostgresNode node, int agentPort) {
        Optional<String> osUser = "root".equals(System.getProperty("user.name")) ? Optional.of("postgres") : Optional.empty();
        return new AgentSettings(node.dataDir(), Path.of("/usr/lib/postgresql/15/bin"), osUser, "127.0.0.1", node.port(), "postgres",
                "postgres", Optional.empty(), TTL, RENEW, STOP_BUDGET, AgentSettings.FenceMethod.STOP, true, Duration.ofMillis(200),
                Duration.ofMillis(400), Duration.ofSeconds(5), "127.0.0.1", agentPort, Optional.of(TOKEN));
    }

    private void startBroker() {
        if (broker == null) {
            broker = EmbeddedKafkaBroker.builder(kafkaDir).port(kafkaPort).build().start();
        } else if (!isUp(broker)) {
            broker.start();
        }
    }

    private static boolean isUp(EmbeddedKafkaBroker broker) {
        try {
            broker.bootstrapServers();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private List<AgentLease> leases() {
        return KafkaTestClients.read(broker, Topics.AGENT_LEASES.name(), Integer.MAX_VALUE, new StringDeserializer(),
                        Topics.AGENT_LEASES.valueSerde().deserializer(), Duration.ofSeconds(2)).stream()
                .map(ConsumerRecord::value).filter(lease -> lease.getCluster().equals(CLUSTER)).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Commits a row every 50 ms on one connection and notes when each commit was acknowledged (System.nanoTime). */
    private static final class Writer {
        private final ConcurrentLinkedQueue<Long> commits = new ConcurrentLinkedQueue<>();
        private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        private final Connection connection;
        private volatile Optional<SQLException> failure = Optional.empty();

        private Writer(Connection connection) {
            this.connection = connection;
        }

        static Writer start(PostgresNode node) throws SQLException {
            Writer writer = new Writer(node.connect());
            writer.executor.scheduleAtFixedRate(writer::commitOne, 0, 50, TimeUnit.MILLISECONDS);
            return writer;
        }

        private void commitOne() {
            if (failure.isPresent()) {
                return;
            }
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("INSERT INTO writes DEFAULT VALUES");
                commits.add(System.nanoTime());
            } catch (SQLException e) {
                failure = Optional.of(e);
            }
        }

        long lastCommit() {
            return commits.stream().mapToLong(Long::longValue).max().orElse(0);
        }

        long longestGapMillis() {
            long longest = 0;
            Long previous = null;
            for (Long at : commits) {
                if (previous != null) {
                    longest = Math.max(longest, at - previous);
                }
                previous = at;
            }
            return millis(longest);
        }

        /** Until the fenced server has ended the writer's connection. */
        void awaitStopped() throws SQLException {
            await().atMost(Duration.ofSeconds(10)).until(() -> failure.isPresent());
            stop();
        }

        void stop() throws SQLException {
            executor.shutdownNow();
            connection.close();
        }
    }
}
