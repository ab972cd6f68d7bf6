package dev.drpilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.runtime.metrics.MetricsServer;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * deploy/grafana/drpilot.json against the real thing: the collectors, the detectors and the actuator started on an
 * embedded broker in one process as {@code drpilot run} starts them (one registry, one {@code /metrics}), fed with
 * a little of everything the dashboard shows, and every metric named by every panel's query found on the live
 * {@code /metrics}. A dashboard panel that names a metric nothing exports stays empty without an error: this is what
 * would notice.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class DashboardMetricsIT {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "drpilot.json");
    /** Series Prometheus makes itself for every target: not on any /metrics. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

    /**
     * The metric names a PromQL expression uses, crudely but honestly: without strings, label matchers, ranges and
     * grouping clauses, every identifier that is not followed by "(" (a function) nor a PromQL keyword is a metric name.
     */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(bare);
        Set<String> keywords = Set.of("by", "without", "on", "ignoring", "bool", "and", "or", "unless", "offset", "group_left", "group_right");
        while (identifier.find()) {
            if (identifier.group(2) == null && !keywords.contains(identifier.group(1))) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }

    @Test
    void theParserFindsMetricNamesAndNotFunctionsOrLabels() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le, probe) (rate(drpilot_probe_latency_seconds_bucket{job=\"x\"}[$__rate_interval])))"))
                .containsExactly("drpilot_probe_latency_seconds_bucket");
        assertThat(metricNames("time() - max by (drill) (drpilot_drill_last_success_timestamp_seconds) > bool 3600 or up"))
                .containsExactly("drpilot_drill_last_success_timestamp_seconds", "up");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void everyMetricOfEveryPanelIsOnTheLiveMetricsOfTheServices(EmbeddedKafkaBroker broker) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        Map<String, Set<String>> used = new java.util.TreeMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                metricNames(target.path("expr").asText()).forEach(name -> used.computeIfAbsent(name, key -> new TreeSet<>())
                        .add(panel.path("title").asText()));
            }
        }
        assertThat(used).hasSizeGreaterThan(30);

        // A webhook that takes alerts, one that refuses them (a failure), PostgreSQL nodes that refuse connections (probes).
        HttpServer receivers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receivers.createContext("/ok", exchange -> { exchange.getRequestBody().readAllBytes(); exchange.sendResponseHeaders(200, -1); exchange.close(); });
        receivers.createContext("/bad", exchange -> { exchange.getRequestBody().readAllBytes(); exchange.sendResponseHeaders(400, -1); exchange.close(); });
        receivers.start();
        int apiPort = freePort();
        DrpilotConfig config = ConfigLoader.parse("""
                collector: {id: dash-collector, vantage: dash-vantage, heartbeatInterval: 1s}
                ingestApi: {bind: 127.0.0.1, port: %d}
                components:
                  - {name: orders-db, kind: database, cluster: orders}
                  - {name: orders-data, kind: data, rpo: 15m}
                clusters:
                  orders:
                    component: orders-db
                    nodes:
                      - {name: pg-1, role: primary, host: 127.0.0.1, port: %d, user: drpilot}
                      - {name: pg-2, role: replica, host: 127.0.0.1, port: %d, user: drpilot}
                thresholds: {lagHold: 1s}
                receivers:
                  - {name: hook-ok, type: webhook, url: "http://127.0.0.1:%d/ok"}
                  - {name: hook-bad, type: webhook, url: "http://127.0.0.1:%d/bad"}
                """.formatted(apiPort, freePort(), freePort(), receivers.getAddress().getPort(), receivers.getAddress().getPort()),
                "dashboard-it", name -> null);
        List<ServiceDefinition> services = List.of(Services.INGEST, Services.DETECT,
                Services.act(MetricsListenOption.Address.OFF), Services.FAILOVER);
        List<Topic<?, ?>> topics = ServiceCommand.topicsOf(services);
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, topics, 1, Optional.empty(), Duration.ofSeconds(30));
        }
        ServiceContext context = new ServiceContext(config, broker.clientProperties(), Clock.systemUTC());
        try (ServiceHost host = new ServiceHost("dashboard-it");
             KafkaProducer<String, byte[]> producer = KafkaTestClients.producer(broker, new StringSerializer(), new ByteArraySerializer())) {
            for (ServiceDefinition service : services) {
                host.add(service.name(), service.starter().start(context));
            }
            JvmMetrics.builder().register(context.metrics());
            MetricsServer server = MetricsServer.start("127.0.0.1", 0, context.metrics(), context.health(), "the services", "--metrics-listen");
            host.add("metrics", server);
            context.health().started();

            Instant now = Instant.now();
            Source source = Source.newBuilder().setCollectorId("dash-collector").setVantage("dash-vantage").build();
            send(producer, Topics.REPLICATION_OBSERVATIONS.name(), "orders", "not avro".getBytes(StandardCharsets.UTF_8));
            for (int s = 10; s >= 0; s -= 2) {
                send(producer, Topics.REPLICATION_OBSERVATIONS, "orders", ReplicationObservation.newBuilder().setObservedAt(now.minusSeconds(s))
                        .setSource(source).setComponent("orders-db").setCluster("orders").setReplicaNode("pg-2").setStreaming(true)
                        .setLagSeconds(600.0).build());
            }
            send(producer, Topics.BACKUP_OBSERVATIONS, "orders-data", BackupObservation.newBuilder().setObservedAt(now).setSource(source)
                    .setComponent("orders-data").setTool(BackupTool.WAL_G).setStatus(BackupStatus.SUCCEEDED).setFinishedAt(now.minusSeconds(60))
                    .setRecoveryPointAt(now.minusSeconds(60)).setBackupName("base_1").build());
            send(producer, Topics.BACKUP_OBSERVATIONS, "orders-data", BackupObservation.newBuilder().setObservedAt(now).setSource(source)
                    .setComponent("orders-data").setTool(BackupTool.WAL_G).setStatus(BackupStatus.FAILED).setError("exit 1").build());
            send(producer, Topics.ACTIONS, "drill-orders", ActionRecord.newBuilder().setActionId("drill-1-summary").setKind(ActionKind.OPERATOR)
                    .setName("summary").setStatus(ActionStatus.SUCCEEDED).setIncidentId("drill-1").setStartedAt(now.minusSeconds(30))
                    .setFinishedAt(now).setAttributes(Map.of("drill", "orders-switchover", "outcome", "PASSED", "rtoMillis", "4200", "rpoMillis", "0"))
                    .build());
            HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort
                    + "/v1/observations/backup")).POST(HttpRequest.BodyPublishers.ofString("{\"component\": \"nowhere\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(400);

            await("every metric of the dashboard on /metrics").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                Set<String> exported = exported(server.port());
                Map<String, Set<String>> missing = new java.util.TreeMap<>(used);
                missing.keySet().removeIf(name -> exported.contains(name) || PROMETHEUS_OWN.contains(name));
                assertThat(missing).as("metrics the dashboard's panels use (with the panels) that no service exports").isEmpty();
            });
            assertThat(get(server.port(), "/healthz")).startsWith("200 ok:").contains("drpilot-detector", "heartbeat", "probe:orders/pg-1");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(server.port(), "/readyz")).startsWith("200 ready"));
        } finally {
            receivers.stop(0);
        }
    }

    private static <V> void send(KafkaProducer<String, byte[]> producer, Topic<String, V> topic, String key, V value) throws Exception {
        send(producer, topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** The names of every sample on the live /metrics (histograms' _bucket, _count and _sum included). */
    private static Set<String> exported(int port) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", "text/plain; version=0.0.4").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> names = new TreeSet<>();
        Matcher sample = SAMPLE.matcher(text);
        while (sample.find()) {
            names.add(sample.group(1));
        }
        return names;
    }
}
