package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.config.CloudWatchReceiver;
import dev.drpilot.config.ConfigLoader;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** The DR figures through the real CloudWatch client (Smithy RPC v2 CBOR) to a local fake that checks what arrives. */
class CloudWatchFiguresIT {
    private static final String PUT_METRIC_DATA = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @AfterEach
    void stop() {
        aws.stop();
    }

    @Test
    void theFiguresOfTheRegistryArriveInBatchesWithinTheApisLimit() throws Exception {
        aws.start();
        aws.stubFor(post(urlPathEqualTo(PUT_METRIC_DATA)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/cbor").withHeader("smithy-protocol", "rpc-v2-cbor")
                .withBody(CBOR.writeValueAsBytes(CBOR.createObjectNode()))));
        CloudWatchReceiver receiver = (CloudWatchReceiver) ConfigLoader.parse("""
                receivers:
                  - {name: cw, type: cloudwatch, region: eu-west-1, namespace: drpilot-figures, endpoint: "http://127.0.0.1:%d"}
                """.formatted(aws.port()), "it", name -> null).receivers().get(0);
        PrometheusRegistry registry = new PrometheusRegistry();
        Gauge lag = Gauge.builder().name("drpilot_replication_lag_bytes").labelNames("component", "cluster", "node").register(registry);
        for (int i = 0; i < 1_500; i++) {
            lag.labelValues("db-" + i, "c-" + i, "pg-2").set(1024.0 * i);
        }
        Gauge.builder().name("drpilot_alerts_firing").labelNames("rule", "severity").register(registry)
                .labelValues("rpo-breach", "critical").set(2);
        Instant now = Instant.parse("2026-11-24T03:00:00Z");

        try (CloudWatchFigures figures = new CloudWatchFigures("cw", AlertSinks.cloudWatchClient(receiver,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")), Duration.ofSeconds(5)),
                "drpilot-figures", registry, Clock.fixed(now, ZoneOffset.UTC))) {
            assertThat(figures.publish()).isEqualTo(1_501);
        }

        List<LoggedRequest> puts = aws.findAll(postRequestedFor(urlPathEqualTo(PUT_METRIC_DATA)));
        assertThat(puts).hasSize(2);
        List<JsonNode> data = new ArrayList<>();
        for (LoggedRequest put : puts) {
            JsonNode body = CBOR.readTree(put.getBody());
            assertThat(body.get("Namespace").asText()).isEqualTo("drpilot-figures");
            assertThat(body.get("MetricData").size()).isLessThanOrEqualTo(1_000);
            body.get("MetricData").forEach(data::add);
            assertThat(put.getHeader("Authorization")).contains("/eu-west-1/monitoring/aws4_request");
        }
        assertThat(data).hasSize(1_501);
        assertThat(data).filteredOn(datum -> datum.get("MetricName").asText().equals("AlertsFiring")).singleElement().satisfies(datum -> {
            assertThat(datum.get("Value").asDouble()).isEqualTo(2.0);
            assertThat(datum.get("Unit").asText()).isEqualTo("Count");
            assertThat(datum.get("Dimensions").toString()).contains("\"Name\":\"Rule\"", "\"Value\":\"rpo-breach\"", "\"Name\":\"Severity\"");
        });
        assertThat(data).filteredOn(datum -> datum.get("MetricName").asText().equals("ReplicationLagBytes"))
                .hasSize(1_500).allSatisfy(datum -> assertThat(datum.get("Unit").asText()).isEqualTo("Bytes"));
    }
}
