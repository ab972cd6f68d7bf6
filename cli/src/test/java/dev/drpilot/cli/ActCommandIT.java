package dev.drpilot.cli;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code bin/drpilot act} as its own process against a Kafka cluster: it delivers alerts and serves /metrics. */
@ExtendWith(EmbeddedKafkaExtension.class)
class ActCommandIT {
    private static final Path LAUNCHER = Path.of("target", "drpilot-dist", "bin", "drpilot").toAbsolutePath();
    private static final Pattern METRICS = Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+/metrics)");

    @TempDir
    Path work;

    private final WireMockServer hook = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private Process process;

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        hook.stop();
    }

    @Test
    void actDeliversAnAlertToAWebhookAndCountsItOnMetrics(EmbeddedKafkaBroker broker) throws Exception {
        hook.start();
        hook.stubFor(post(urlEqualTo("/alerts")).willReturn(aResponse().withStatus(200)));
        String receiver = TestNames.unique("act-hook");
        String cluster = TestNames.unique("act-cluster");
        Path config = Files.writeString(work.resolve("drpilot.yaml"), """
                receivers:
                  - {name: %1$s, type: webhook, url: "http://127.0.0.1:%2$d/alerts"}
                # Only this test's alerts: the shared test broker holds other tests' alerts, and a new
                # receiver starts an hour back.
                routes:
                  - {match: {component: [%3$s-db]}, receivers: [%1$s]}
                """.formatted(receiver, hook.port(), cluster));
        Path log = work.resolve("act.log");
        process = new ProcessBuilder(LAUNCHER.toString(), "act", "--config", config.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--metrics-listen", "127.0.0.1:0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String[] metricsUrl = new String[1];
        await("drpilot act to report it is running (log " + log + ")").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .failFast("drpilot act exited early", () -> !process.isAlive())
                .until(() -> {
                    String output = Files.readString(log);
                    Matcher matcher = METRICS.matcher(output);
                    if (output.contains("drpilot act running on Kafka at") && matcher.find()) {
                        metricsUrl[0] = matcher.group(1);
                        return true;
                    }
                    return false;
                });

        Alert alert = Alert.newBuilder().setFingerprint("replication-lag/cluster=" + cluster).setRule("replication-lag")
                .setStatus(AlertStatus.FIRING).setSeverity(Severity.WARNING).setComponent(cluster + "-db").setCluster(cluster)
                .setLabels(Map.of("alertname", "ReplicationLag")).setAnnotations(Map.of("summary", "lag on " + cluster))
                .setValue(75.0).setThreshold(60.0).setUnit("seconds").setStartsAt(Instant.now()).setEmittedAt(Instant.now()).build();
        try (KafkaProducer<String, Alert> producer = KafkaTestClients.producer(broker, new StringSerializer(), Topics.ALERTS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.getFingerprint(), alert)).get(30, TimeUnit.SECONDS);
        }

        await("the webhook to receive the alert").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(hook.findAll(postRequestedFor(urlEqualTo("/alerts")).withRequestBody(containing(cluster)))).hasSize(1));
        // Counted once the delivery's audit record is acknowledged, a moment after the webhook saw the request.
        await("the delivery to be counted on /metrics").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metricsUrl[0])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("drpilot_alert_deliveries_total{receiver=\"" + receiver + "\"} 1.0", "jvm_memory_used_bytes");
        });

        // The probes beside /metrics: every worker loop of the process alive, the failover's among them.
        String base = metricsUrl[0].substring(0, metricsUrl[0].length() - "/metrics".length());
        for (String probe : List.of("/healthz", "/readyz")) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + probe)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(probe + ": " + health.body()).isEqualTo(200);
            assertThat(health.body()).as(probe).contains("failover-actuator", "drpilot-receiver-" + receiver, "drpilot-alert-metrics",
                    "drpilot-plant-metrics");
        }

        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("drpilot act: act stopped", "drpilot act: stopped cleanly").doesNotContain("did not stop cleanly");
    }
}
