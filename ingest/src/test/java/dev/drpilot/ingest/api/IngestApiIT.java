package dev.drpilot.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The HTTP ingest API against a real broker: what it accepts, what it refuses, and what reaches Kafka. */
@ExtendWith(EmbeddedKafkaExtension.class)
class IngestApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Source ANONYMOUS = Source.newBuilder().setCollectorId("api:anonymous").setVantage("api:anonymous").build();
    private static EmbeddedKafkaBroker broker;
    private static KafkaProducer<String, byte[]> producer;
    private static IngestApi api;

    @BeforeAll
    static void start(EmbeddedKafkaBroker shared) throws Exception {
        broker = shared;
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.REPLICATION_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS, Topics.BACKUP_OBSERVATIONS),
                    1, Optional.empty(), Duration.ofSeconds(30));
        }
        producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        api = new IngestApi(config("").ingestApi(), config("").components(), producer, Duration.ofSeconds(10), Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (producer != null) {
            producer.close();
        }
    }

    private static DrpilotConfig config(String ingestApi) {
        return ConfigLoader.parse("""
                ingestApi: {port: 0, maxBodyBytes: 4KiB %s}
                components:
                  - {name: api-db, kind: database}
                  - {name: api-app, kind: application}
                """.formatted(ingestApi), "it", name -> "token-123456");
    }

    private static HttpResponse<String> post(IngestApi target, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String replication(String replica, String extra) {
        return """
                {"observedAt": "%s", "component": "api-db", "cluster": "api-cluster", "replicaNode": "%s",
                 "streaming": true, "lagBytes": 1024, "lagSeconds": 1.5%s}""".formatted(Instant.now(), replica, extra);
    }

    @Test
    void aValidObservationIsAcceptedOnlyOnceKafkaHasItKeyedByCluster() throws Exception {
        HttpResponse<String> response = post(api, "/v1/observations/replication", replication("accepted-1", ""));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json(response).get("accepted").asInt()).isEqualTo(1);
        List<ConsumerRecord<String, ReplicationObservation>> records = KafkaTestClients.read(broker, Topics.REPLICATION_OBSERVATIONS.name(),
                100, Topics.REPLICATION_OBSERVATIONS.keySerde().deserializer(), Topics.REPLICATION_OBSERVATIONS.valueSerde().deserializer(),
                Duration.ofSeconds(3));
        ConsumerRecord<String, ReplicationObservation> published = records.stream()
                .filter(r -> r.value().getReplicaNode().equals("accepted-1")).findFirst().orElseThrow();
        assertThat(published.key()).isEqualTo("api-cluster");
        assertThat(published.value().getLagBytes()).isEqualTo(1024L);
        assertThat(published.value().getSource()).isEqualTo(ANONYMOUS); // an API without tokens: every caller is anonymous
    }

    @Test
    void aBatchWithOneBadRecordIsRefusedWholeNamingIndexAndField() throws Exception {
        String batch = """
                [{"observedAt": "%1$s", "probe": "batch-ok", "kind": "HTTP", "component": "api-app", "target": "http://x", "ok": true},
                 {"observedAt": "%1$s", "probe": "batch-bad", "kind": "PING", "component": "api-app", "target": "http://x", "ok": "yes"}]"""
                .formatted(Instant.now());
        HttpResponse<String> response = post(api, "/v1/observations/health", batch);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("problems")).hasSize(2);
        assertThat(response.body())
                .contains("{\"index\":1,\"field\":\"kind\",\"message\":\"expected one of UNKNOWN, POSTGRES, TCP, HTTP, DNS, REPLICA_WAL_RECEIVER, CLOUDWATCH\"}")
                .contains("{\"index\":1,\"field\":\"ok\",\"message\":\"expected true or false\"}");
        List<ConsumerRecord<String, HealthObservation>> records = KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 100,
                Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(), Duration.ofSeconds(3));
        assertThat(records).noneMatch(r -> r.value().getProbe().startsWith("batch-"));
    }

    @Test
    void aValidHealthBatchIsPublishedWithEnumsAndDetails() throws Exception {
        String batch = """
                [{"observedAt": "%1$s", "probe": "pg", "kind": "POSTGRES", "component": "api-db", "cluster": "api-cluster",
                  "node": "pg-1", "target": "10.0.0.1:5432", "ok": true, "role": "PRIMARY", "latencyMillis": 3,
                  "details": {"server_version": "15.18"}, "source": {"collectorId": "ext", "vantage": "dc-2"}},
                 {"observedAt": %2$d, "probe": "web", "kind": "HTTP", "component": "api-app", "target": "https://x", "ok": false,
                  "error": "timed out"}]""".formatted(Instant.now(), Instant.now().toEpochMilli());
        HttpResponse<String> response = post(api, "/v1/observations/health", batch);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        List<ConsumerRecord<String, HealthObservation>> records = KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 100,
                Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(), Duration.ofSeconds(3));
        HealthObservation pg = records.stream().map(ConsumerRecord::value).filter(o -> o.getProbe().equals("pg")).findFirst().orElseThrow();
        assertThat(pg.getRole()).isEqualTo(NodeRole.PRIMARY);
        assertThat(pg.getDetails()).containsEntry("server_version", "15.18");
        assertThat(pg.getSource()).as("the caller's claim is replaced by the API's identity").isEqualTo(ANONYMOUS);
        assertThat(records).anySatisfy(r -> {
            assertThat(r.value().getProbe()).isEqualTo("web");
            assertThat(r.key()).isEqualTo("api-app");
        });
    }

    @Test
    void malformedJsonMissingAndMistypedFieldsAreNamed() throws Exception {
        HttpResponse<String> malformed = post(api, "/v1/observations/replication", "{\"observedAt\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"field\":\"(body)\"").contains("malformed JSON");

        HttpResponse<String> fields = post(api, "/v1/observations/replication", """
                {"observedAt": "yesterday", "component": "api-db", "lagBytes": "a lot", "colour": "red"}""");
        assertThat(fields.statusCode()).isEqualTo(400);
        assertThat(fields.body())
                .contains("{\"field\":\"observedAt\",\"message\":\"expected an RFC 3339 time such as 2026-11-24T03:12:45Z\"}")
                .contains("{\"field\":\"cluster\",\"message\":\"missing (required)\"}")
                .contains("{\"field\":\"replicaNode\",\"message\":\"missing (required)\"}")
                .contains("{\"field\":\"lagBytes\",\"message\":\"expected a whole number\"}")
                .contains("{\"field\":\"colour\",\"message\":\"unknown field\"}");
    }

    @Test
    void unknownComponentsAndTimesFarInTheFutureAreRefused() throws Exception {
        HttpResponse<String> response = post(api, "/v1/observations/backup", """
                [{"observedAt": "%s", "component": "billing-db", "status": "FAILED"},
                 {"observedAt": "%s", "component": "api-db", "status": "SUCCEEDED"}]"""
                .formatted(Instant.now(), Instant.now().plus(Duration.ofHours(2))));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body())
                .contains("{\"index\":0,\"field\":\"component\",\"message\":\"unknown component \\\"billing-db\\\"\"}")
                .contains("{\"index\":1,\"field\":\"observedAt\",\"message\":\"more than 30s in the future (no further than the evidence "
                        + "freshness window; check the sender's clock)\"}");
    }

    @Test
    void aBodyOverTheLimitIs413AndUnknownPathsAre404() throws Exception {
        String big = "[" + String.join(",", java.util.Collections.nCopies(100, replication("big", ""))) + "]";
        assertThat(post(api, "/v1/observations/replication", big).statusCode()).isEqualTo(413);
        assertThat(post(api, "/v1/observations/metrics", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void aConfiguredTokenIsRequired() throws Exception {
        try (IngestApi secured = new IngestApi(config(", token: \"${INGEST_TOKEN}\"").ingestApi(), config("").components(),
                producer, Duration.ofSeconds(10), Clock.systemUTC()).start()) {
            assertThat(post(secured, "/v1/observations/replication", replication("token-1", "")).statusCode()).isEqualTo(401);
            assertThat(post(secured, "/v1/observations/replication", replication("token-2", ""),
                    "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(post(secured, "/v1/observations/replication", replication("token-3", ""),
                    "Authorization", "Bearer token-123456").statusCode()).isEqualTo(202);
        }
    }

    @Test
    void eachTokenIsANamedSourceAndTheCallersClaimOfACollectorOrVantageIsReplaced() throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                ingestApi:
                  port: 0
                  bind: 0.0.0.0
                  tokens:
                    - {name: backup-cron, token: "${CRON_TOKEN}"}
                    - {name: eu-prober, token: "${PROBER_TOKEN}", previousToken: "${OLD_PROBER_TOKEN}", vantage: true}
                components: [{name: api-db, kind: database}]
                """, "it", Map.of("CRON_TOKEN", "cron-token-1", "PROBER_TOKEN", "prober-token-2", "OLD_PROBER_TOKEN", "prober-token-0")::get);
        try (IngestApi secured = new IngestApi(config.ingestApi(), config.components(), producer, Duration.ofSeconds(10),
                Clock.systemUTC()).start()) {
            String forged = """
                    {"observedAt": "%s", "probe": "%s", "kind": "POSTGRES", "component": "api-db", "cluster": "api-cluster",
                     "node": "pg-1", "target": "pg-1:5432", "ok": false, "error": "timed out",
                     "source": {"collectorId": "eu-1", "vantage": "eu-1"}}""";
            assertThat(post(secured, "/v1/observations/health", forged.formatted(Instant.now(), "forged-none")).statusCode()).isEqualTo(401);
            assertThat(post(secured, "/v1/observations/health", forged.formatted(Instant.now(), "forged-wrong"),
                    "Authorization", "Bearer cron-token-1x").statusCode()).isEqualTo(401);
            assertThat(post(secured, "/v1/observations/health", forged.formatted(Instant.now(), "forged-cron"),
                    "Authorization", "Bearer cron-token-1").statusCode()).isEqualTo(202);
            assertThat(post(secured, "/v1/observations/health", forged.formatted(Instant.now(), "forged-prober"),
                    "Authorization", "Bearer prober-token-2").statusCode()).isEqualTo(202);
            assertThat(post(secured, "/v1/observations/health", forged.formatted(Instant.now(), "forged-rotating"),
                    "Authorization", "Bearer prober-token-0").statusCode()).as("the previous token, during a rotation").isEqualTo(202);

            List<ConsumerRecord<String, HealthObservation>> records = KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 1_000,
                    Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(),
                    Duration.ofSeconds(3));
            assertThat(records).extracting(ConsumerRecord::value).filteredOn(o -> o.getProbe().startsWith("forged-"))
                    .extracting(HealthObservation::getProbe, o -> o.getSource().getCollectorId(), o -> o.getSource().getVantage())
                    .containsExactlyInAnyOrder(tuple("forged-cron", "api:backup-cron", "api:backup-cron"),
                            tuple("forged-prober", "api:eu-prober", "api:eu-prober"),
                            tuple("forged-rotating", "api:eu-prober", "api:eu-prober"));
            assertThat(config.ingestApi().countsAsVantage("api:backup-cron")).as("what the detector makes of them").isFalse();
            assertThat(config.ingestApi().countsAsVantage("api:eu-prober")).isTrue();
        }
    }

    @Test
    void anObservationStampedFurtherAheadThanTheFreshnessWindowIsRefused() throws Exception {
        HttpResponse<String> response = post(api, "/v1/observations/health", """
                [{"observedAt": "%s", "probe": "ahead-ok", "kind": "POSTGRES", "component": "api-db", "cluster": "api-cluster",
                  "node": "pg-2", "target": "pg-2:5432", "ok": true, "role": "PRIMARY"},
                 {"observedAt": "%s", "probe": "ahead-far", "kind": "POSTGRES", "component": "api-db", "cluster": "api-cluster",
                  "node": "pg-2", "target": "pg-2:5432", "ok": true, "role": "PRIMARY"}]"""
                .formatted(Instant.now().plusSeconds(20), Instant.now().plusSeconds(45)));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("{\"index\":1,\"field\":\"observedAt\",\"message\":\"more than 30s in the future");
        assertThat(json(response).get("problems")).hasSize(1);
        List<ConsumerRecord<String, HealthObservation>> records = KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 1_000,
                Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(), Duration.ofSeconds(3));
        assertThat(records).noneMatch(r -> r.value().getProbe().startsWith("ahead-"));
    }

    @Test
    void kafkaUnreachableIsA503WithRetryAfterNotAHang() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
        try (KafkaProducer<String, byte[]> dead = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
             IngestApi cut = new IngestApi(config("").ingestApi(), config("").components(), dead, Duration.ofSeconds(3),
                     Clock.systemUTC()).start()) {
            long started = System.nanoTime();
            HttpResponse<String> response = post(cut, "/v1/observations/replication", replication("unreachable", ""));

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("5");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cut.port() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void healthAndReadinessEndpoints() throws Exception {
        for (String path : List.of("/healthz", "/readyz")) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
        }
    }
}
