package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import dev.drpilot.ingest.api.IngestApi;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Forged evidence through the real ingest API, judged by the real detector (Kafka Streams on the
 * embedded broker): what the detector emits is asserted, not only what the API publishes. Honest
 * collectors are stood in for by records written to the observation topic as a collector writes
 * them. Two clusters share one detector: on one, a caller fakes the quorum a lone collector lacks;
 * on the other, callers try to hide a real outage behind a "writable primary" elsewhere and a
 * record stamped in the future.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ForgedEvidenceIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path stateDir;

    @Test
    void forgedVantagesWritablePrimariesAndFutureStampsThroughTheApiNeitherStartNorSuppressAFailover(EmbeddedKafkaBroker broker)
            throws Exception {
        String lone = TestNames.unique("forged-quorum");
        String outage = TestNames.unique("forged-hide");
        DrpilotConfig config = ConfigLoader.parse("""
                ingestApi:
                  port: 0
                  tokens:
                    - {name: backup-cron, token: "${CRON_TOKEN}"}
                    - {name: eu-prober, token: "${PROBER_TOKEN}", vantage: true}
                components:
                  - {name: %1$s-db, kind: database, cluster: %1$s}
                  - {name: %2$s-db, kind: database, cluster: %2$s}
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
                    failover: {mode: auto, quorum: 2, holdProbes: 3}
                  %2$s:
                    component: %2$s-db
                    nodes: [{name: pg-1, role: primary, host: pg-1}, {name: pg-2, host: pg-2}]
                    failover: {mode: auto, quorum: 2, holdProbes: 3}
                """.formatted(lone, outage), "it", Map.of("CRON_TOKEN", "cron-token", "PROBER_TOKEN", "prober-token")::get);
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, DetectorService.TOPICS, 1, Optional.empty(), Duration.ofSeconds(30));
        }
        try (DetectorService detector = new DetectorService(config, broker.clientProperties(), TestNames.unique("forged-detector"), stateDir).start();
             KafkaProducer<String, byte[]> apiProducer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
             IngestApi api = new IngestApi(config.ingestApi(), config.components(), apiProducer, Duration.ofSeconds(10), Clock.systemUTC()).start();
             KafkaProducer<String, HealthObservation> collectors = KafkaTestClients.producer(broker, new StringSerializer(),
                     Topics.HEALTH_OBSERVATIONS.valueSerde().serializer())) {
            Instant now = Instant.now();

            // 1. One honest collector sees the primary of `lone` fail; a caller of the API claims two more vantages.
            for (int i = 0; i < 3; i++) {
                for (String claimed : List.of("us-1", "ap-1")) {
                    assertThat(post(api, "cron-token", pg(lone, "pg-1", null, now.plusMillis(i * 1000 + 100), claimed)).statusCode()).isEqualTo(202);
                }
                collect(collectors, lone, "pg-1", now.plusMillis(i * 1000), "eu-1");
            }

            // 2. Two honest collectors see the primary of `outage` fail (reports that took a few seconds to arrive).
            //    Before they arrive, a vantage source says pg-1 answers, stamped 25 s ahead (judged by that stamp,
            //    every honest report would be stale), and a caller that is no vantage says pg-2 is a writable
            //    primary (taken for true, it would make pg-1's failures those of a former primary).
            assertThat(post(api, "prober-token", pg(outage, "pg-1", NodeRole.PRIMARY, now.plusSeconds(25), "eu-1")).statusCode()).isEqualTo(202);
            assertThat(post(api, "cron-token", pg(outage, "pg-2", NodeRole.PRIMARY, now, "eu-1")).statusCode()).isEqualTo(202);
            HttpResponse<String> tooFar = post(api, "prober-token", pg(outage, "pg-1", NodeRole.PRIMARY, now.plusSeconds(60), "eu-1"));
            assertThat(tooFar.statusCode()).isEqualTo(400);
            assertThat(tooFar.body()).contains("\"field\":\"observedAt\"");
            for (int i = 0; i < 3; i++) {
                collect(collectors, outage, "pg-1", now.minusSeconds(8).plusMillis(i * 1000), "eu-1");
                collect(collectors, outage, "pg-1", now.minusSeconds(8).plusMillis(i * 1000 + 500), "us-1");
            }
            collectors.flush();

            await("a failover command for " + outage).atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(commands(broker)).filteredOn(record -> outage.equals(record.key())).singleElement()
                            .satisfies(record -> {
                                assertThat(record.value().getFailedNode()).isEqualTo("pg-1");
                                assertThat(record.value().getEvidence()).extracting(Source::getVantage).containsExactlyInAnyOrder("eu-1", "us-1");
                            }));
            await("primary-unconfirmed for " + lone).atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(alerts(broker)).filteredOn(alert -> lone.equals(alert.getCluster()))
                            .extracting(Alert::getRule, Alert::getStatus)
                            .containsExactly(tuple("primary-unconfirmed", AlertStatus.FIRING)));
            assertThat(commands(broker)).as("the forged vantages made no quorum").noneMatch(record -> lone.equals(record.key()));
            assertThat(alerts(broker)).as("pg-2's forged claim raised no split brain")
                    .noneMatch(alert -> outage.equals(alert.getCluster()) && alert.getRule().equals("split-brain"));
        }
    }

    private static String pg(String cluster, String node, NodeRole role, Instant at, String vantage) {
        boolean ok = role != null;
        return """
                {"observedAt": "%s", "probe": "%s/%s", "kind": "POSTGRES", "component": "%s-db", "cluster": "%s", "node": "%s",
                 "target": "%s:5432", "ok": %s, "role": "%s", "error": %s, "source": {"collectorId": "%s", "vantage": "%s"}}"""
                .formatted(at, cluster, node, cluster, cluster, node, node, ok, ok ? role : "UNKNOWN",
                        ok ? "null" : "\"SocketTimeoutException: connect timed out\"", vantage, vantage);
    }

    private static HttpResponse<String> post(IngestApi api, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/observations/health"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A failed probe of a node, written as a collector writes it: its own id and vantage, keyed by cluster. */
    private static void collect(KafkaProducer<String, HealthObservation> collectors, String cluster, String node, Instant at, String vantage)
            throws Exception {
        HealthObservation observation = HealthObservation.newBuilder()
                .setObservedAt(at).setSource(Source.newBuilder().setCollectorId("collector-" + vantage).setVantage(vantage).build())
                .setProbe(cluster + "/" + node).setKind(ProbeKind.POSTGRES).setComponent(cluster + "-db").setCluster(cluster).setNode(node)
                .setTarget(node + ":5432").setOk(false).setRole(NodeRole.UNKNOWN).setError("SocketTimeoutException: connect timed out")
                .build();
        collectors.send(new ProducerRecord<>(Topics.HEALTH_OBSERVATIONS.name(), cluster, observation)).get();
    }

    private static List<ConsumerRecord<String, FailoverCommand>> commands(EmbeddedKafkaBroker broker) {
        return KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 10_000, Topics.FAILOVER_COMMANDS.keySerde().deserializer(),
                Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofSeconds(2));
    }

    private static List<Alert> alerts(EmbeddedKafkaBroker broker) {
        return KafkaTestClients.read(broker, Topics.ALERTS.name(), 10_000, Topics.ALERTS.keySerde().deserializer(),
                Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(2)).stream().map(ConsumerRecord::value).toList();
    }
}
