package dev.drpilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.NotifyOptions;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole path on the real broker: {@code drpilot silence add} → a rule fires → nothing reaches the webhook, the status
 * page shows the alert silenced by that silence → {@code drpilot silence expire} → the alert, still firing, is delivered.
 * And inhibition: a cluster's primary-down holds back its replica's lag alert until it resolves.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class SilenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WireMockServer hook = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private final CliRun cli = new CliRun();

    @AfterEach
    void stop() {
        hook.stop();
    }

    @Test
    void aSilencedAlertIsNotDeliveredIsShownSilencedAndIsDeliveredOnceTheSilenceIsExpired(EmbeddedKafkaBroker broker) throws Exception {
        String cluster = TestNames.unique("silenced");
        String kafka = broker.bootstrapServers();
        hook.start();
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        ensureTopics(broker);

        // Usage errors name the option, before any connection.
        assertThat(cli.run("silence", "add", "--match", "rule=lag", "--for", "2h", "--comment", "x", "--bootstrap-servers", kafka)).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--match: no rule named \"lag\"");
        assertThat(cli.run("silence", "add", "--match", "cluster=" + cluster, "--for", "soon", "--comment", "x", "--bootstrap-servers", kafka))
                .isEqualTo(2);
        assertThat(cli.err.toString()).contains("--for:");

        CliRun add = new CliRun();
        assertThat(add.run("silence", "add", "--match", "rule=replication-lag,cluster=" + cluster, "--for", "2h", "--comment", "rebuilding pg-2",
                "--author", "alice", "--bootstrap-servers", kafka)).as(add.err.toString()).isZero();
        String id = add.out.toString().trim();
        assertThat(id).matches("[0-9a-f]{8}");
        CliRun list = new CliRun();
        assertThat(list.run("silence", "list", "--bootstrap-servers", kafka)).isZero();
        assertThat(list.out.toString()).contains(id + "  active  rule=replication-lag,cluster=" + cluster).contains("alice", "rebuilding pg-2");

        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                routes:
                  - {match: {labels: {cluster: %s}}, receivers: [hook]}
                """.formatted(hook.port(), cluster), "it", name -> null);
        NotifyOptions options = NotifyOptions.defaults().withMetrics("127.0.0.1", 0).withGroupIdPrefix(TestNames.unique("it-silence") + "-");
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), options)
                .silencing(Topics.SILENCES.name(), Duration.ofMillis(500)).start()) {
            Alert lag = lag(cluster);
            send(broker, lag);

            await("shown on the status page, silenced by the silence").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode alert = openAlert(actuator, lag.getFingerprint());
                assertThat(alert.path("silencedBy").asText()).startsWith("silence " + id + " by alice until ").endsWith(": rebuilding pg-2");
            });
            await("held back and recorded as such").atMost(Duration.ofSeconds(30)).until(() -> !skipped(broker, lag.getFingerprint()).isEmpty());
            assertThat(skipped(broker, lag.getFingerprint()).get(0).getDetail()).startsWith("FIRING held back, not delivered: silence " + id);
            assertThat(hook.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing(cluster)))).as("nothing delivered").isEmpty();

            CliRun expire = new CliRun();
            assertThat(expire.run("silence", "expire", id, "--author", "bob", "--bootstrap-servers", kafka)).as(expire.err.toString()).isZero();
            assertThat(expire.out.toString()).contains("silence " + id + " expired by bob");

            await("delivered once the silence is expired, since it still fires").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(hook.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing(cluster)))).hasSize(1));
            await("no longer marked silenced").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode silencedBy = openAlert(actuator, lag.getFingerprint()).path("silencedBy");
                assertThat(silencedBy.isNull() || silencedBy.isMissingNode()).as(silencedBy.toString()).isTrue();
            });
            assertThat(silencedCount(actuator)).as("counted once, however often it was looked at again").isEqualTo(1.0);
        }
        List<ActionRecord> audit = allActions(broker).stream().filter(action -> id.equals(action.getAttributes().get("silence"))).toList();
        assertThat(audit).extracting(ActionRecord::getName).containsExactly("silence-add", "silence-expire");
        assertThat(audit.get(0).getAttributes()).containsEntry("by", "alice").containsEntry("matchers", "rule=replication-lag,cluster=" + cluster);
        CliRun expired = new CliRun();
        assertThat(expired.run("silence", "list", "--expired", "--bootstrap-servers", kafka)).isZero();
        assertThat(expired.out.toString()).contains(id + "  expired").contains("alice (expired by bob)");
        assertThat(new CliRun().run("silence", "expire", "nosuchid", "--bootstrap-servers", kafka)).isEqualTo(2);
    }

    @Test
    void primaryDownInhibitsItsClustersLagAlertUntilItResolvesAndAResolvedNeverFiredIsNotDelivered(EmbeddedKafkaBroker broker) throws Exception {
        String cluster = TestNames.unique("inhibited");
        ensureTopics(broker);
        hook.start();
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                routes:
                  - {match: {labels: {cluster: %s}}, receivers: [hook]}
                """.formatted(hook.port(), cluster), "it", name -> null);
        NotifyOptions options = NotifyOptions.defaults().withMetrics("127.0.0.1", -1).withGroupIdPrefix(TestNames.unique("it-inhibit") + "-");
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), options)
                .silencing(Topics.SILENCES.name(), Duration.ofMillis(500)).start()) {
            Alert down = Alert.newBuilder(lag(cluster)).setRule("primary-down").setSeverity(Severity.CRITICAL).setNode("pg-1")
                    .setFingerprint("primary-down/cluster=" + cluster).setLabels(Map.of("cluster", cluster, "rule", "primary-down")).build();
            Alert lag = lag(cluster);
            send(broker, down);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(hook.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing("primary-down")))).hasSize(1));
            // A lag alert that fires and resolves while primary-down fires: neither its FIRING nor its RESOLVED is delivered.
            send(broker, lag, resolved(lag));
            await().atMost(Duration.ofSeconds(30)).until(() -> skipped(broker, lag.getFingerprint()).size() >= 2);
            assertThat(skipped(broker, lag.getFingerprint())).extracting(ActionRecord::getDetail).anyMatch(detail -> detail.startsWith(
                    "RESOLVED not delivered: its FIRING was held back (inhibition)"));
            // Fires again, still inhibited; delivered once primary-down resolves.
            Alert again = Alert.newBuilder(lag).setStartsAt(lag.getStartsAt().plusSeconds(60)).setEmittedAt(Instant.now()).build();
            send(broker, again);
            await().atMost(Duration.ofSeconds(30)).until(() -> skipped(broker, lag.getFingerprint()).stream().anyMatch(action ->
                    action.getDetail().startsWith("FIRING held back, not delivered: inhibited by primary-down of cluster " + cluster)
                            && action.getStartedAt().isAfter(again.getEmittedAt().minusSeconds(1))));
            assertThat(hook.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing("replication-lag")))).isEmpty();
            send(broker, resolved(down));
            await("the lag alert, still firing, delivered once primary-down resolved").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(hook.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing("replication-lag")))).hasSize(1));
        }
    }

    private static void ensureTopics(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, NotifyService.TOPICS, 1, java.util.Optional.empty(), Duration.ofSeconds(30));
        }
    }

    private static Alert lag(String cluster) {
        return Alert.newBuilder().setFingerprint("replication-lag/cluster=" + cluster + "/node=pg-2").setRule("replication-lag")
                .setStatus(AlertStatus.FIRING).setSeverity(Severity.WARNING).setComponent(cluster + "-db").setCluster(cluster).setNode("pg-2")
                .setLabels(Map.of("cluster", cluster, "rule", "replication-lag")).setAnnotations(Map.of("summary", "pg-2 of " + cluster + " is 95 s behind"))
                .setStartsAt(Instant.now().minusSeconds(30)).setEmittedAt(Instant.now()).build();
    }

    private static Alert resolved(Alert firing) {
        return Alert.newBuilder(firing).setStatus(AlertStatus.RESOLVED).setEndsAt(Instant.now()).setEmittedAt(Instant.now()).build();
    }

    private static void send(EmbeddedKafkaBroker broker, Alert... alerts) throws Exception {
        try (KafkaProducer<String, Alert> producer = KafkaTestClients.producer(broker, new StringSerializer(), Topics.ALERTS.valueSerde().serializer())) {
            for (Alert alert : alerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.getFingerprint(), alert)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<ActionRecord> allActions(EmbeddedKafkaBroker broker) {
        try (var consumer = KafkaTestClients.consumer(broker, new org.apache.kafka.common.serialization.StringDeserializer(),
                Topics.ACTIONS.valueSerde().deserializer())) {
            var partitions = consumer.partitionsFor(Topics.ACTIONS.name()).stream()
                    .map(info -> new org.apache.kafka.common.TopicPartition(Topics.ACTIONS.name(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ActionRecord> records = new java.util.ArrayList<>();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<String, ActionRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    records.add(record.value());
                }
            }
            return records;
        }
    }

    private static List<ActionRecord> skipped(EmbeddedKafkaBroker broker, String fingerprint) {
        return allActions(broker).stream().filter(action -> fingerprint.equals(action.getFingerprint()) && action.getStatus() == ActionStatus.SKIPPED)
                .toList();
    }


    private static JsonNode openAlert(NotifyService actuator, String fingerprint) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actuator.metricsPort() + "/api/status"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode alert : JSON.readTree(body).path("alerts")) {
            if (alert.path("fingerprint").asText().equals(fingerprint)) {
                return alert;
            }
        }
        throw new AssertionError("alert " + fingerprint + " not on the status page: " + body);
    }

    /** drpilot_alert_notifications_silenced_total of receiver hook, by silence; -1 when absent. */
    private static double silencedCount(NotifyService actuator) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + actuator.metricsPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(line -> line.startsWith("drpilot_alert_notifications_silenced_total{") && line.contains("receiver=\"hook\"")
                && line.contains("by=\"silence\"")).mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(-1);
    }
}
