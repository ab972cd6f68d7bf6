package dev.drpilot.agent;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.LeaseState;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The agent beside a real PostgreSQL primary, on a real broker: it holds the lease; cut off from Kafka it stops its
 * primary taking writes before the lease's TTL has passed; it sees its postmaster killed at once, and a frozen one as
 * not answering, not down.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class AgentLeaseIT {
    private static final Logger log = LoggerFactory.getLogger(AgentLeaseIT.class);
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration RENEW = Duration.ofMillis(500);
    private static final Duration STOP_BUDGET = Duration.ofSeconds(1);

    private static AgentSettings settings(PostgresNode node, Duration checkInterval) {
        Optional<String> osUser = "root".equals(System.getProperty("user.name")) ? Optional.of("postgres") : Optional.empty();
        return new AgentSettings(node.dataDir(), Path.of("/usr/lib/postgresql/15/bin"), osUser, "127.0.0.1", node.port(), "postgres",
                "postgres", Optional.empty(), TTL, RENEW, STOP_BUDGET, AgentSettings.FenceMethod.DEMOTE, true, checkInterval,
                Duration.ofMillis(400), Duration.ofSeconds(5), "127.0.0.1", 0);
    }

    private static void ensureTopics(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, NodeAgent.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
    }

    @Test
    void cutOffFromKafkaTheAgentStopsItsPrimaryTakingWritesWithinTheTtl(@TempDir Path kafkaDir) throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start("agentlease", 0)) {
            PostgresNode primary = cluster.primary();
            primary.execute("CREATE TABLE writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(kafkaDir).build().start();
            WorkerHealth health = new WorkerHealth();
            try (NodeAgent agent = new NodeAgent(settings(primary, Duration.ofMillis(200)), "orders", primary.name(), "orders-db",
                    broker.clientProperties(), health, NanoClock.SYSTEM, Clock.systemUTC())) {
                ensureTopics(broker);
                agent.start();
                health.started();

                // Holding: renewals acknowledged on the lease topic, and the health endpoint sees every loop.
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.lease().newestAcknowledgedSend().isPresent());
                List<ConsumerRecord<String, AgentLease>> leases = KafkaTestClients.read(broker, Topics.AGENT_LEASES.name(), 3,
                        new StringDeserializer(), Topics.AGENT_LEASES.valueSerde().deserializer(), Duration.ofSeconds(10));
                assertThat(leases).hasSizeGreaterThanOrEqualTo(3).allSatisfy(record -> {
                    assertThat(record.key()).isEqualTo("orders");
                    assertThat(record.value().getState()).isEqualTo(LeaseState.HOLDING);
                    assertThat(record.value().getNode()).isEqualTo(primary.name());
                    assertThat(record.value().getTtlMillis()).isEqualTo(TTL.toMillis());
                });
                assertThat(leases).extracting(record -> record.value().getSequence()).isSorted();
                HttpResponse<String> healthz = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.healthPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(healthz.statusCode()).isEqualTo(200);
                assertThat(healthz.body()).contains("agent-lease", "agent-fence-guard", "agent-postmaster-watch", "agent-dead-man-switch");
                long renewMillis = agent.lastRenewMillis();

                // A writer records when each of its commits was acknowledged, on the agent's clock.
                AtomicLong lastCommit = new AtomicLong();
                AtomicLong commits = new AtomicLong();
                AtomicReference<SQLException> writerStopped = new AtomicReference<>();
                Thread writer = new Thread(() -> {
                    try (Connection connection = primary.connect(); Statement statement = connection.createStatement()) {
                        while (true) {
                            statement.executeUpdate("INSERT INTO writes DEFAULT VALUES");
                            lastCommit.set(System.nanoTime());
                            commits.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        writerStopped.set(e);
                    }
                }, "writer");
                writer.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> commits.get() > 100);

                long cutAt = System.nanoTime();
                broker.close();
                await().atMost(TTL.plusSeconds(5)).until(() -> agent.lastFence().isPresent());
                FenceGuard.FenceRecord fence = agent.lastFence().orElseThrow();
                writer.join(TimeUnit.SECONDS.toMillis(10));

                assertThat(fence.outcome().writesStopped()).isTrue();
                assertThat(writerStopped.get() != null).as("the writer's connection ended").isTrue();
                assertThat(lastCommit.get()).as("the last acknowledged commit came before the lease's TTL ran out")
                        .isLessThan(fence.writesEndBy());
                assertThat(fence.writesStoppedAt()).isLessThanOrEqualTo(fence.writesEndBy());
                log.info("LEASE FIGURES: renewal acknowledged in {} ms; cut-off -> fence began {} ms; cut-off -> writes stopped {} ms;"
                                + " last acknowledged send -> writes stopped {} ms (TTL {} ms); stop (immediate) {} ms; whole demote {} ms;"
                                + " last commit {} ms before the TTL; {} commits",
                        renewMillis, millis(fence.beganAt() - cutAt), millis(fence.writesStoppedAt() - cutAt),
                        millis(fence.writesStoppedAt() - (fence.writesEndBy() - TTL.toNanos())), TTL.toMillis(),
                        fence.outcome().stopMillis(), fence.outcome().totalMillis(), millis(fence.writesEndBy() - lastCommit.get()), commits.get());

                // Demoted: a standby, which no session can write to; started again as it was, still one.
                await().atMost(Duration.ofSeconds(30)).until(() -> isStandby(primary));
                assertNotWritable(primary);
                await().atMost(Duration.ofSeconds(5)).until(() -> agent.lease().state() == Lease.State.IDLE);
                primary.stop();
                primary.start();
                assertThat(primary.isInRecovery()).isTrue();
                assertNotWritable(primary);
            }
        }
    }

    @Test
    void aFrozenPostmasterIsNotAnsweringAndAKilledOneIsDownWithinASecond(EmbeddedKafkaBroker broker) throws Exception {
        ensureTopics(broker);
        try (PostgresCluster cluster = PostgresCluster.start("agentwatch", 0);
             KafkaConsumer<String, HealthObservation> observations = KafkaTestClients.consumer(broker, new StringDeserializer(),
                     Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer())) {
            PostgresNode primary = cluster.primary();
            observations.subscribe(Set.of(Topics.HEALTH_OBSERVATIONS.name()));
            AgentSettings settings = settings(primary, Duration.ofMillis(250));
            try (NodeAgent agent = new NodeAgent(settings, "orders", primary.name(), "orders-db", broker.clientProperties(),
                    new WorkerHealth(), NanoClock.SYSTEM, Clock.systemUTC()).start()) {
                String collectorId = AgentSettings.collectorId("orders", primary.name());
                List<HealthObservation> seen = new ArrayList<>();
                awaitObservation(observations, collectorId, seen, "up");
                HealthObservation up = last(seen);
                assertThat(up.getOk()).isTrue();
                assertThat(up.getAnswered()).isTrue();
                assertThat(up.getSource().getVantage()).isEqualTo("agent:" + primary.name());
                assertThat(up.getKind().name()).isEqualTo("POSTGRES");
                assertThat(up.getRole().name()).isEqualTo("PRIMARY");

                primary.freeze();
                try {
                    awaitObservation(observations, collectorId, seen, "not-answering");
                    HealthObservation frozen = last(seen);
                    assertThat(frozen.getOk()).isFalse();
                    assertThat(frozen.getAnswered()).isFalse();
                    assertThat(frozen.getDetails()).containsEntry("postmaster", "stopped");
                    assertThat(seen).noneMatch(o -> "down".equals(o.getDetails().get("agentVerdict")));
                    // The lease still renews: the server is not answering, not gone, and Kafka is fine.
                    assertThat(agent.lease().state()).isEqualTo(Lease.State.HOLDING);
                } finally {
                    primary.thaw();
                }
                awaitObservation(observations, collectorId, seen, "up");

                Instant killedAt = Instant.now();
                primary.kill();
                awaitObservation(observations, collectorId, seen, "down");
                HealthObservation down = last(seen);
                assertThat(down.getOk()).isFalse();
                assertThat(down.getAnswered()).isFalse();
                long detectMillis = Duration.between(killedAt, down.getObservedAt()).toMillis();
                log.info("LOCAL EVIDENCE: kill -9 -> 'down' observed after {} ms", detectMillis);
                assertThat(detectMillis).isLessThan(1000);
                // A postmaster that is gone takes no writes: the lease is released, not left to expire.
                await().atMost(Duration.ofSeconds(2)).until(() -> agent.lease().state() == Lease.State.IDLE);
            }
        }
    }

    @Test
    void aPrimaryFrozenForLongerThanTheTtlIsFencedByItsOwnAgentWhichSaysSo(EmbeddedKafkaBroker broker) throws Exception {
        ensureTopics(broker);
        try (PostgresCluster cluster = PostgresCluster.start("agenthung", 0)) {
            PostgresNode primary = cluster.primary();
            // An agent stopped while its node is primary says that nothing guards the node any more.
            try (NodeAgent first = new NodeAgent(settings(primary, Duration.ofMillis(250)), "hung", primary.name(), "hung-db",
                    broker.clientProperties(), new WorkerHealth(), NanoClock.SYSTEM, Clock.systemUTC()).start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> first.lease().newestAcknowledgedSend().isPresent());
            }
            assertThat(lastLease(broker, "hung").getState()).isEqualTo(LeaseState.UNGUARDED);

            try (NodeAgent agent = new NodeAgent(settings(primary, Duration.ofMillis(250)), "hung", primary.name(), "hung-db",
                    broker.clientProperties(), new WorkerHealth(), NanoClock.SYSTEM, Clock.systemUTC()).start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.lease().newestAcknowledgedSend().isPresent());
                long frozenAt = System.nanoTime();
                primary.freeze();
                // Kafka is fine, but a lease renewed for a hung server would block its failover for ever: after a TTL
                // of silence the agent stops renewing, and a TTL later its fence kills the frozen server.
                await().atMost(TTL.multipliedBy(3)).until(() -> agent.lastFence().isPresent());
                FenceGuard.FenceRecord fence = agent.lastFence().orElseThrow();
                assertThat(fence.outcome().writesStopped()).isTrue();
                assertThat(fence.outcome().details().get("stop")).contains("frozen");
                log.info("HUNG PRIMARY: frozen -> fenced (killed, started as a standby) after {} ms", millis(fence.writesStoppedAt() - frozenAt));
                await().atMost(Duration.ofSeconds(30)).until(() -> isStandby(primary));

                AgentLease last = lastLease(broker, "hung");
                assertThat(last.getState()).isEqualTo(LeaseState.SELF_FENCED);
                assertThat(last.getDetails()).containsEntry("method", "demote").containsKey("marginMillis");
            } finally {
                primary.thaw();
            }
        }
    }

    @Test
    void aFrozenAgentsDeadManSwitchStopsItsPrimaryWithoutTheAgentsJvm() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start("agentdeadman", 0)) {
            PostgresNode primary = cluster.primary();
            AgentSettings settings = settings(primary, Duration.ofMillis(250));
            PgCtl pgCtl = new PgCtl(settings);
            try (DeadManSwitch watchdog = DeadManSwitch.start(primary.dataDir(), true, pgCtl.command("-m", "immediate", "-w", "-t", "1", "stop"),
                    Files.createTempFile("dead-man", ".log"))) {
                // The agent's last pet gave it 500 ms; then the agent "froze": nothing pets it any more.
                long lastPet = System.nanoTime();
                watchdog.arm(500);
                await().atMost(Duration.ofSeconds(5)).until(() -> !primary.isRunning());
                log.info("DEAD-MAN SWITCH: last pet -> server stopped {} ms (deadline 500 ms)", millis(System.nanoTime() - lastPet));
            }
            assertThat(primary.dataDir().resolve(Fence.STANDBY_SIGNAL)).exists();
            // Undone by hand for what follows, which needs a primary.
            Files.delete(primary.dataDir().resolve(Fence.STANDBY_SIGNAL));

            // What the fence's stop costs, fast (checkpoint first) against immediate, with durable settings and dirty buffers.
            Files.writeString(primary.dataDir().resolve("postgresql.auto.conf"),
                    "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\nshared_buffers = '128MB'\ncheckpoint_timeout = '1h'\nmax_wal_size = '4GB'\n");
            for (String mode : List.of("fast", "immediate")) {
                primary.start();
                primary.execute("CREATE TABLE IF NOT EXISTS load AS SELECT g AS id, repeat(md5(g::text), 8) AS payload FROM generate_series(1, 1) g");
                primary.execute("CHECKPOINT");
                primary.execute("INSERT INTO load SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 200000) g");
                long start = System.nanoTime();
                pgCtl.stop(mode, Duration.ofSeconds(60));
                log.info("STOP DURATION: pg_ctl -m {} stop with ~60 MB of dirty buffers, fsync on: {} ms", mode, millis(System.nanoTime() - start));
            }
        }
    }

    /** The newest lease record of {@code cluster}: what a reader of the compacted topic takes for the lease. */
    private static AgentLease lastLease(EmbeddedKafkaBroker broker, String cluster) {
        List<ConsumerRecord<String, AgentLease>> leases = KafkaTestClients.read(broker, Topics.AGENT_LEASES.name(), Integer.MAX_VALUE,
                new StringDeserializer(), Topics.AGENT_LEASES.valueSerde().deserializer(), Duration.ofSeconds(2));
        return leases.stream().map(ConsumerRecord::value).filter(lease -> lease.getCluster().equals(cluster))
                .reduce((older, newer) -> newer).orElseThrow();
    }

    private static void awaitObservation(KafkaConsumer<String, HealthObservation> consumer, String collectorId,
                                         List<HealthObservation> seen, String verdict) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (ConsumerRecord<String, HealthObservation> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.value().getSource().getCollectorId().equals(collectorId)) {
                    seen.add(record.value());
                }
            }
            return !seen.isEmpty() && verdict.equals(last(seen).getDetails().get("agentVerdict"));
        });
    }

    private static HealthObservation last(List<HealthObservation> seen) {
        return seen.get(seen.size() - 1);
    }

    private static boolean isStandby(PostgresNode node) {
        try {
            return node.isInRecovery();
        } catch (SQLException e) {
            return false;
        }
    }

    private static void assertNotWritable(PostgresNode node) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET default_transaction_read_only = off");
            SQLException refused = catchThrowableOfType(SQLException.class, () -> statement.executeUpdate("INSERT INTO writes DEFAULT VALUES"));
            assertThat((Throwable) refused).as("a write on the fenced node").isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("25006");
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
