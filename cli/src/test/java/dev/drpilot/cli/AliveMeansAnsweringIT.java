package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.cli.drill.FailoverDrill;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.Severity;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alive means answering, on real PostgreSQL with the whole pipeline (two collectors at two
 * vantages → detectors → failover actuator): a primary that answers the probes with an error is
 * alive and is never failed over, and the database-refuses alert says why it refuses.
 *
 * <p>The collectors log in to the primary as {@code drpilot_monitor}, a non-superuser with
 * {@code pg_monitor} and a password (the harness trusts every other login): a superuser would get
 * the reserved slots of a primary at {@code max_connections}, so only an ordinary monitoring role
 * sees what the applications see. Two probe vantages with {@code quorum: 2}: before this change,
 * three error answers in a row from both — which each scenario waits to see — were a confirmed
 * outage and a failover command within a second.
 *
 * <p>A primary frozen for 3 s (SIGSTOP: no answer, shorter than the hold) is not failed over
 * either: {@code FailoverPipelineIT.aPrimaryFrozenForLessThanTheHoldIsNotFailedOver}.
 * {@code HealthProbesIT} shows that a frozen server's probe counts as no answer.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AliveMeansAnsweringIT {
    private static final String MONITOR = "drpilot_monitor";
    private static final String PASSWORD = "monitor-secret-1";
    /**
     * How long "no failover" is watched once every probe vantage has seen three error answers in a
     * row — the point where a failed probe would have confirmed the outage, and the detector
     * would have issued the command within its commit interval (100 ms). The last test measures
     * the same pipeline from a kill -9 (nothing answers any more) to its command, three failed
     * probes included, and checks that it stays well inside this window.
     */
    private static final Duration NO_FAILOVER_WAIT = Duration.ofSeconds(10);

    private static PostgresCluster pg;
    private static FailoverDrill drill;
    private static IngestService secondVantage;
    private static String name;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start(EmbeddedKafkaBroker embedded) throws Exception {
        broker = embedded;
        name = TestNames.unique("answers");
        pg = PostgresCluster.start(name, 2);
        PostgresNode primary = pg.primary();
        primary.execute("CREATE ROLE " + MONITOR + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE pg_monitor");
        primary.execute("CREATE ROLE app LOGIN");
        // The harness trusts every loopback login; the monitoring role must give its password (first match wins).
        Path hba = primary.dataDir().resolve("pg_hba.conf");
        Files.writeString(hba, "host all " + MONITOR + " 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
        primary.execute("SELECT pg_reload_conf()");

        Path password = Files.createTempFile("drpilot-monitor-", ".secret");
        Files.writeString(password, PASSWORD);
        String primaryLogin = "port: " + primary.port() + ", user: postgres";
        String yaml = FailoverDrill.yaml(name, pg, "{mode: auto, quorum: 2, holdProbes: 3}", """
                thresholds: {resolveHold: 2s}
                probes:
                  - {name: %1$s-primary, kind: postgres, component: %1$s-db, cluster: %1$s, node: %2$s, interval: 1s, timeout: 800ms}
                """.formatted(name, primary.name()));
        assertThat(yaml).contains(primaryLogin);
        DrpilotConfig config = ConfigLoader.parse(yaml.replace(primaryLogin,
                "port: " + primary.port() + ", user: " + MONITOR + ", password: \"file:" + password + "\""), "it", env -> null);
        drill = new FailoverDrill(broker, pg, name, config, Optional.empty());
        secondVantage = new IngestService(config, new CollectorIdentity(name + "-collector-2", "drill-us-1", "it"),
                broker.clientProperties(), Clock.systemUTC()).start();
        Instant started = Instant.now();
        await("both vantages see the primary answer").atMost(Duration.ofSeconds(30)).until(() ->
                primaryObservationsSince(started.minusSeconds(60)).stream().filter(HealthObservation::getOk)
                        .map(o -> o.getSource().getVantage()).distinct().count() == 2);
    }

    @AfterAll
    static void stop() {
        if (secondVantage != null) {
            secondVantage.close();
        }
        if (drill != null) {
            drill.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void aRotatedPasswordOfTheCollectorIsNoFailoverButAnAlertNamingTheLoginFailure() throws Exception {
        Instant rotatedAt = Instant.now();
        pg.primary().execute("ALTER ROLE " + MONITOR + " PASSWORD 'rotated-by-someone-else'");
        try {
            awaitThreeErrorAnswersFromEveryVantage("28P01", rotatedAt);
            assertNoFailover();

            await("the database-refuses alert").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(refusesAlerts()).filteredOn(alert -> alert.getStatus() == AlertStatus.FIRING).last().satisfies(alert -> {
                        assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
                        assertThat(alert.getLabels()).containsEntry("node", pg.primary().name());
                        assertThat(alert.getAnnotations().get("summary")).contains("refuses drpilot's probes: SQLSTATE 28P01");
                        assertThat(alert.getAnnotations().get("description"))
                                .contains("password authentication failed for user \"" + MONITOR + "\"")
                                .contains("Login refused: the collector's credentials");
                    }));
        } finally {
            pg.primary().execute("ALTER ROLE " + MONITOR + " PASSWORD '" + PASSWORD + "'");
        }
        await("the alert resolved once the collectors log in again").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(refusesAlerts()).last().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED));
    }

    @Test
    @Order(2)
    void aPrimarySaturatedAtMaxConnectionsIsNoFailover() throws Exception {
        List<Connection> idle = new ArrayList<>();
        try {
            Instant saturatedAt = Instant.now();
            fillEveryOrdinarySlot(idle);
            awaitThreeErrorAnswersFromEveryVantage("53300", saturatedAt, () -> fillEveryOrdinarySlot(idle));
            assertNoFailover();
            await("the database-refuses alert").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(refusesAlerts()).last().satisfies(alert -> {
                        assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
                        assertThat(alert.getAnnotations().get("description")).contains("SQLSTATE 53300").contains("Connections exhausted");
                    }));
            assertThat(pg.primary().isInRecovery()).as("the primary served its sessions all along").isFalse();
        } finally {
            for (Connection connection : idle) {
                connection.close();
            }
        }
    }

    @Test
    @Order(3)
    void aKilledPrimaryIsStillFailedOverWellWithinTheWaitAbove() {
        Instant killedAt = Instant.now();
        pg.primary().kill();
        await("a failover command for " + name).atMost(NO_FAILOVER_WAIT.multipliedBy(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> !commands().isEmpty());
        Duration toCommand = Duration.between(killedAt, Instant.now());
        System.out.printf("alive-means-answering: kill -9 to failover command in %d ms; the no-failover waits were %d ms after the quorum%n",
                toCommand.toMillis(), NO_FAILOVER_WAIT.toMillis());
        assertThat(toCommand).isLessThan(NO_FAILOVER_WAIT);
        assertThat(commands()).singleElement().extracting(FailoverCommand::getFailedNode).isEqualTo(pg.primary().name());
    }

    /**
     * Sessions as an ordinary role until the server refuses one with 53300; the reserved slots stay for superusers. Called
     * again while waiting: a slot another client of the server (the harness, the replication collector) gives back is
     * taken at once, so that the probes keep meeting a full server on a loaded machine.
     */
    private static void fillEveryOrdinarySlot(List<Connection> idle) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "app");
        props.setProperty("connectTimeout", "5");
        while (idle.size() < 100) {
            try {
                idle.add(DriverManager.getConnection(pg.primary().jdbcUrl(), props));
            } catch (SQLException e) {
                assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("53300");
                return;
            }
        }
        throw new AssertionError("the primary took 100 sessions: max_connections is not what the harness sets");
    }

    /** Every probe vantage has had its third error answer with {@code sqlState} in a row: where a failure would have confirmed the outage. */
    private static void awaitThreeErrorAnswersFromEveryVantage(String sqlState, Instant since) {
        awaitThreeErrorAnswersFromEveryVantage(sqlState, since, () -> { });
    }

    /**
     * As above; {@code keepUp} runs before each look. Three in a row at any point since {@code since} count, not only the
     * newest three: that is where a failure would have confirmed the outage, whatever came after.
     */
    private static void awaitThreeErrorAnswersFromEveryVantage(String sqlState, Instant since, SqlAction keepUp) {
        // Each look reads the topic with a consumer of its own, which takes seconds on a loaded machine: a generous bound.
        await("three error answers " + sqlState + " in a row from both vantages").atMost(Duration.ofSeconds(60)).until(() -> {
            keepUp.run();
            List<HealthObservation> observed = primaryObservationsSince(since);
            return observed.stream().map(o -> o.getSource().getVantage()).distinct().filter(vantage -> {
                List<HealthObservation> own = observed.stream().filter(o -> o.getSource().getVantage().equals(vantage))
                        .sorted(Comparator.comparing(HealthObservation::getObservedAt)).toList();
                int run = 0;
                for (HealthObservation o : own) {
                    run = !o.getOk() && o.getAnswered() && sqlState.equals(o.getSqlState()) ? run + 1 : 0;
                    if (run == 3) {
                        return true;
                    }
                }
                return false;
            }).count() == 2;
        });
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static void assertNoFailover() throws Exception {
        await("no failover command for " + name).during(NO_FAILOVER_WAIT).atMost(NO_FAILOVER_WAIT.plusSeconds(10))
                .pollInterval(Duration.ofSeconds(1)).until(() -> commands().isEmpty());
        assertThat(drill.audit().read(Instant.now().minusSeconds(300), record -> name.equals(record.getCluster())
                && record.getKind() != ActionKind.ALERT_DELIVERY)).as("no failover step or refusal recorded").isEmpty();
        for (PostgresNode replica : pg.replicas()) {
            assertThat(replica.isInRecovery()).as(replica.name() + " still a replica").isTrue();
        }
    }

    private static List<FailoverCommand> commands() {
        return KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 10_000, Topics.FAILOVER_COMMANDS.keySerde().deserializer(),
                        Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofMillis(500)).stream()
                .filter(record -> name.equals(record.key())).map(ConsumerRecord::value).toList();
    }

    private static List<Alert> refusesAlerts() {
        return KafkaTestClients.read(broker, Topics.ALERTS.name(), 100_000, Topics.ALERTS.keySerde().deserializer(),
                        Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(2)).stream().map(ConsumerRecord::value)
                .filter(alert -> name.equals(alert.getCluster()) && alert.getRule().equals("database-refuses")).toList();
    }

    private static List<HealthObservation> primaryObservationsSince(Instant since) {
        // From the time asked only: the module's other ITs fill the topic too, and a read from its beginning cut off after
        // a few seconds did not always reach the newest observations (the condition above then never held).
        return KafkaTestClients.readSince(broker, Topics.HEALTH_OBSERVATIONS.name(), since.minusSeconds(5),
                        Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(),
                        Duration.ofSeconds(10)).stream()
                .filter(record -> name.equals(record.key())).map(ConsumerRecord::value)
                .filter(o -> pg.primary().name().equals(o.getNode()) && o.getObservedAt().isAfter(since)).toList();
    }
}
