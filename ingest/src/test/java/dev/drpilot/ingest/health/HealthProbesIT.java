package dev.drpilot.ingest.health;

import com.sun.net.httpserver.HttpServer;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health probes against real targets: PostgreSQL nodes (killed, frozen), an HTTP endpoint, a closed port, a DNS name. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthProbesIT {
    private static final Source SOURCE = Source.newBuilder().setCollectorId("it").setVantage("it-vantage").build();
    private static PostgresCluster postgres;
    private static HttpServer http;
    private static int closedPort;

    private final MockProducer<String, HealthObservation> producer = new MockProducer<>(true, null,
            Serdes.String().serializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().serializer());
    private ProbeScheduler scheduler;

    @BeforeAll
    static void startTargets() throws Exception {
        postgres = PostgresCluster.start("health", 1);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        http.start();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterAll
    static void stopTargets() {
        if (http != null) {
            http.stop(0);
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stopScheduler() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private DrpilotConfig config() {
        PostgresNode primary = postgres.primary();
        PostgresNode replica = postgres.replica(0);
        String base = "http://127.0.0.1:" + http.getAddress().getPort();
        return ConfigLoader.parse("""
                components:
                  - {name: db, kind: database}
                  - {name: app, kind: application}
                clusters:
                  health:
                    component: db
                    nodes:
                      - {name: %s, role: primary, host: 127.0.0.1, port: %d, user: postgres}
                      - {name: %s, host: 127.0.0.1, port: %d, user: postgres}
                  refusing:
                    component: db
                    nodes:
                      - {name: no-such-role, role: primary, host: 127.0.0.1, port: %d, user: nobody}
                probes:
                  - {name: primary, kind: postgres, component: db, cluster: health, node: %s, interval: 500ms, timeout: 400ms}
                  - {name: replica, kind: postgres, component: db, cluster: health, node: %s, interval: 500ms, timeout: 400ms}
                  - {name: login-refused, kind: postgres, component: db, cluster: refusing, node: no-such-role, interval: 500ms, timeout: 400ms}
                  - {name: api, kind: http, component: app, url: "%s/healthz", interval: 500ms, timeout: 400ms}
                  - {name: api-broken, kind: http, component: app, url: "%s/broken", interval: 500ms, timeout: 400ms}
                  - {name: closed, kind: tcp, component: app, host: 127.0.0.1, port: %d, interval: 500ms, timeout: 400ms}
                  - {name: dns, kind: dns, component: app, dnsName: localhost, expect: 127.0.0.1, interval: 500ms, timeout: 400ms}
                """.formatted(primary.name(), primary.port(), replica.name(), replica.port(), primary.port(), primary.name(), replica.name(),
                base, base, closedPort), "it", name -> null);
    }

    private List<HealthObservation> of(String probe) {
        return producer.history().stream().map(record -> record.value()).filter(o -> o.getProbe().equals(probe)).toList();
    }

    private HealthObservation latest(String probe) {
        List<HealthObservation> observations = of(probe);
        return observations.get(observations.size() - 1);
    }

    @Test
    @Order(1)
    void everyKindOfProbeReportsWhatItFound() {
        scheduler = HealthProbes.scheduler(config(), SOURCE, producer, Clock.systemUTC());
        scheduler.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> List.of("primary", "replica", "login-refused", "api", "api-broken", "closed", "dns")
                .stream().allMatch(name -> !of(name).isEmpty()));

        assertThat(latest("primary")).satisfies(o -> {
            assertThat(o.getOk()).isTrue();
            assertThat(o.getRole()).isEqualTo(NodeRole.PRIMARY);
            assertThat(o.getKind()).isEqualTo(ProbeKind.POSTGRES);
            assertThat(o.getLatencyMillis()).isNotNull();
            assertThat(o.getDetails()).containsKey("server_version").containsEntry("readOnly", "false");
        });
        assertThat(latest("replica").getRole()).isEqualTo(NodeRole.REPLICA);
        assertThat(latest("login-refused")).as("a login the server refused: it answered, so it is alive").satisfies(o -> {
            assertThat(o.getOk()).isFalse();
            assertThat(o.getAnswered()).isTrue();
            assertThat(o.getSqlState()).isEqualTo("28000");
            assertThat(o.getError()).isEqualTo("FATAL: role \"nobody\" does not exist");
        });
        assertThat(latest("api").getOk()).isTrue();
        assertThat(latest("api-broken")).satisfies(o -> {
            assertThat(o.getOk()).isFalse();
            assertThat(o.getError()).isEqualTo("HTTP 503, expected 200");
        });
        assertThat(latest("closed").getOk()).isFalse();
        assertThat(latest("closed").getError()).contains("Connection refused");
        assertThat(latest("dns").getOk()).isTrue();
        // Nodes with a configured probe get no second, implicit one.
        assertThat(scheduler.probeNames()).containsExactly("primary", "replica", "login-refused", "api", "api-broken", "closed", "dns");
    }

    @Test
    @Order(2)
    void aFrozenPrimaryFailsWithinTheTimeoutWhileTheOtherProbesKeepTheirInterval() {
        scheduler = HealthProbes.scheduler(config(), SOURCE, producer, Clock.systemUTC());
        scheduler.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !of("primary").isEmpty() && of("primary").get(0).getOk());

        Instant frozenAt = Instant.now();
        postgres.primary().freeze();
        try {
            await("a failed observation of the frozen primary").atMost(Duration.ofSeconds(5))
                    .until(() -> of("primary").stream().anyMatch(o -> !o.getOk() && o.getObservedAt().isAfter(frozenAt)));
            int replicaRunsBefore = of("replica").size();
            await("the replica probe keeps running meanwhile").atMost(Duration.ofSeconds(5))
                    .until(() -> of("replica").size() >= replicaRunsBefore + 3);
            assertThat(of("replica").subList(replicaRunsBefore, of("replica").size())).allSatisfy(o -> assertThat(o.getOk()).isTrue());
            HealthObservation failed = of("primary").stream().filter(o -> !o.getOk() && o.getObservedAt().isAfter(frozenAt)).findFirst().orElseThrow();
            assertThat(failed.getError()).isEqualTo("timed out after 400 ms");
            assertThat(failed.getAnswered()).as("a frozen server does not answer").isFalse();
        } finally {
            postgres.primary().thaw();
        }
    }

    @Test
    @Order(3)
    void aKilledPrimaryFailsWithinTheTimeout() {
        scheduler = HealthProbes.scheduler(config(), SOURCE, producer, Clock.systemUTC());
        scheduler.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !of("primary").isEmpty());

        Instant killedAt = Instant.now();
        postgres.primary().kill();
        await("a failed observation of the killed primary").atMost(Duration.ofSeconds(5))
                .until(() -> of("primary").stream().anyMatch(o -> !o.getOk() && o.getObservedAt().isAfter(killedAt)));
        HealthObservation failed = of("primary").stream().filter(o -> !o.getOk() && o.getObservedAt().isAfter(killedAt)).findFirst().orElseThrow();
        assertThat(failed.getError()).containsIgnoringCase("connection");
        assertThat(failed.getRole()).isEqualTo(NodeRole.UNKNOWN);
        assertThat(failed.getAnswered()).isFalse();
        assertThat(failed.getSqlState()).isNull();
    }
}
