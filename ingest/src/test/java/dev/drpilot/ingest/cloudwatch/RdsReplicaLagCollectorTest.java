package dev.drpilot.ingest.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real AWS SDK v2 CloudWatch client against a local fake of the CloudWatch API (Smithy RPC v2
 * CBOR, the protocol this SDK speaks to CloudWatch), which checks the request the SDK sends.
 */
class RdsReplicaLagCollectorTest {
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private static final String OPERATION = "/service/GraniteServiceVersion20100801/operation/GetMetricData";
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");

    private final WireMockServer cloudwatch = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private final MockProducer<String, ReplicationObservation> producer = new MockProducer<>(true, null,
            Serdes.String().serializer(), Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
    private CloudWatchClient client;
    private ClusterConfig cluster;

    @BeforeEach
    void start() {
        cloudwatch.start();
        cluster = ConfigLoader.parse("""
                components: [{name: billing-db, kind: database}]
                clusters:
                  billing:
                    component: billing-db
                    cloudwatch: {region: eu-west-1, endpoint: "http://127.0.0.1:%d"}
                    nodes:
                      - {name: writer, role: primary, host: billing.abc.eu-west-1.rds.amazonaws.com, rdsInstanceId: billing-writer}
                      - {name: reader, host: billing-r.abc.eu-west-1.rds.amazonaws.com, rdsInstanceId: billing-reader}
                """.formatted(cloudwatch.port()), "test", name -> null).clusters().get("billing");
        client = CloudWatchClients.create(cluster.cloudwatch().orElseThrow(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
    }

    @AfterEach
    void stop() {
        client.close();
        cloudwatch.stop();
    }

    private void answer(ObjectNode... results) throws Exception {
        ObjectNode body = CBOR.createObjectNode();
        ArrayNode list = body.putArray("MetricDataResults");
        for (ObjectNode result : results) {
            list.add(result);
        }
        body.putArray("Messages");
        cloudwatch.stubFor(post(urlPathEqualTo(OPERATION)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/cbor").withHeader("smithy-protocol", "rpc-v2-cbor")
                .withBody(CBOR.writeValueAsBytes(body))));
    }

    private static ObjectNode result(String id, double... values) {
        ObjectNode result = CBOR.createObjectNode().put("Id", id).put("Label", id).put("StatusCode", "Complete");
        ArrayNode list = result.putArray("Values");
        for (double value : values) {
            list.add(value);
        }
        return result;
    }

    private List<ReplicationObservation> collect() {
        return new RdsReplicaLagCollector(cluster, client, new CollectorIdentity("c1", "eu", "test"), producer,
                Clock.fixed(NOW, ZoneOffset.UTC)).collect();
    }

    @Test
    void asksForReplicaLagAndSlotUsageOfEveryRdsNodeInOneCall() throws Exception {
        answer(result("lag0", 0.0), result("slot0", 0.0), result("lag1", 42.0, 40.0), result("slot1", 3_145_728.0));

        List<ReplicationObservation> observations = collect();

        List<LoggedRequest> requests = cloudwatch.findAll(postRequestedFor(urlPathEqualTo(OPERATION)));
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).getHeader("smithy-protocol")).isEqualTo("rpc-v2-cbor");
        assertThat(requests.get(0).getHeader("Authorization")).contains("Credential=AKIDTEST/").contains("/eu-west-1/monitoring/aws4_request");
        JsonNode sent = CBOR.readTree(requests.get(0).getBody());
        assertThat(sent.get("ScanBy").asText()).isEqualTo("TimestampDescending");
        JsonNode queries = sent.get("MetricDataQueries");
        assertThat(queries).hasSize(4);
        JsonNode lagOfReader = queries.get(2);
        assertThat(lagOfReader.get("Id").asText()).isEqualTo("lag1");
        JsonNode stat = lagOfReader.get("MetricStat");
        assertThat(stat.get("Metric").get("Namespace").asText()).isEqualTo("AWS/RDS");
        assertThat(stat.get("Metric").get("MetricName").asText()).isEqualTo("ReplicaLag");
        assertThat(stat.get("Metric").get("Dimensions").get(0).get("Name").asText()).isEqualTo("DBInstanceIdentifier");
        assertThat(stat.get("Metric").get("Dimensions").get(0).get("Value").asText()).isEqualTo("billing-reader");
        assertThat(stat.get("Period").asInt()).isEqualTo(60);
        assertThat(stat.get("Stat").asText()).isEqualTo("Average");
        assertThat(queries.get(3).get("MetricStat").get("Metric").get("MetricName").asText()).isEqualTo("ReplicationSlotDiskUsage");

        ReplicationObservation reader = observations.get(1);
        assertThat(reader.getReplicaNode()).isEqualTo("reader");
        assertThat(reader.getLagSeconds()).isEqualTo(42.0); // the newest datapoint comes first
        assertThat(reader.getSlotDiskUsageBytes()).isEqualTo(3_145_728L);
        assertThat(reader.getStreaming()).isTrue();
        assertThat(reader.getSource().getVantage()).isEqualTo("cloudwatch:eu-west-1");
        assertThat(reader.getError()).isNull();
    }

    @Test
    void replicationNotActiveAndMissingDatapointsAreReportedNotGuessed() throws Exception {
        answer(result("lag0", -1.0), result("slot0"), result("lag1"), result("slot1"));

        List<ReplicationObservation> observations = collect();

        assertThat(observations.get(0).getStreaming()).isFalse();
        assertThat(observations.get(0).getLagSeconds()).isNull();
        assertThat(observations.get(1).getLagSeconds()).isNull();
        assertThat(observations.get(1).getError()).isEqualTo("no ReplicaLag datapoint for billing-reader in the last 5 minutes");
    }

    @Test
    void anApiErrorBecomesObservationsCarryingIt() {
        cloudwatch.stubFor(post(urlPathEqualTo(OPERATION)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/cbor").withHeader("smithy-protocol", "rpc-v2-cbor")
                .withBody(cborError())));

        List<ReplicationObservation> observations = collect();

        assertThat(observations).hasSize(2).allSatisfy(observation -> {
            assertThat(observation.getLagSeconds()).isNull();
            assertThat(observation.getError()).startsWith("CloudWatch GetMetricData failed:");
        });
    }

    private static byte[] cborError() {
        try {
            return CBOR.writeValueAsBytes(CBOR.createObjectNode().put("__type", "com.amazonaws.cloudwatch#InvalidParameterValueException")
                    .put("message", "The parameter StartTime must be before EndTime"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
