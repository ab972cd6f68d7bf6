package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real AWS SDK v2 SNS and CloudWatch clients, through the real broker, against a local fake of
 * both APIs: SNS speaks the AWS Query protocol (form body, XML answers), CloudWatch Smithy RPC v2
 * CBOR. The fake checks the requests the SDK sends.
 */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class AwsReceiversIT {
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private static final String PUT_METRIC_DATA = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    private static final String TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:drpilot-alerts";

    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @BeforeEach
    void start() {
        aws.start();
    }

    @AfterEach
    void stop() {
        aws.stop();
    }

    @Test
    void publishesCriticalAlertsToSnsAfterThrottlingAndEveryAlertAsCloudWatchFigures(EmbeddedKafkaBroker broker) throws Exception {
        aws.stubFor(post(urlEqualTo("/")).inScenario("sns").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml").withBody("""
                        <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                          <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
                          <RequestId>6f0a2b4c-0000-0000-0000-000000000001</RequestId>
                        </ErrorResponse>""")).willSetStateTo("ok"));
        aws.stubFor(post(urlEqualTo("/")).inScenario("sns").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                        <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                          <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>
                          <ResponseMetadata><RequestId>6f0a2b4c-0000-0000-0000-000000000002</RequestId></ResponseMetadata>
                        </PublishResponse>""")));
        aws.stubFor(post(urlPathEqualTo(PUT_METRIC_DATA)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/cbor").withHeader("smithy-protocol", "rpc-v2-cbor")
                .withBody(CBOR.writeValueAsBytes(CBOR.createObjectNode()))));

        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: sns-pager, type: sns, topicArn: "%s", region: eu-west-1, endpoint: "http://127.0.0.1:%d"}
                  - {name: cloudwatch-figures, type: cloudwatch, region: eu-west-1, namespace: drpilot-it, endpoint: "http://127.0.0.1:%d"}
                routes:
                  - {match: {severity: [critical]}, receivers: [sns-pager]}
                """.formatted(TOPIC_ARN, aws.port(), aws.port()), "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert critical = TestAlerts.firing("orders", Severity.CRITICAL).build();
        Alert warning = TestAlerts.firing("billing", Severity.WARNING).build();
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()
                .withAwsCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))).start()) {
            kafka.send(critical, warning);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(3));
        }

        List<LoggedRequest> publishes = aws.findAll(postRequestedFor(urlEqualTo("/")));
        assertThat(publishes).hasSize(2);
        Map<String, String> form = form(publishes.get(1).getBodyAsString());
        assertThat(form).containsEntry("Action", "Publish").containsEntry("TopicArn", TOPIC_ARN)
                .containsEntry("Subject", "[FIRING:CRITICAL] orders-db: Replica pg-2 of orders is 95 s behind")
                .containsEntry("MessageAttributes.entry.1.Value.DataType", "String");
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 1; form.containsKey("MessageAttributes.entry." + i + ".Name"); i++) {
            attributes.put(form.get("MessageAttributes.entry." + i + ".Name"), form.get("MessageAttributes.entry." + i + ".Value.StringValue"));
        }
        assertThat(attributes).containsExactlyInAnyOrderEntriesOf(Map.of("severity", "critical", "component", "orders-db",
                "status", "firing", "rule", "replication-lag"));
        assertThat(form.get("Message")).contains("Value: 95 seconds", "Runbook: https://runbooks.example.com/replication-lag");
        assertThat(publishes.get(1).getHeader("Authorization")).contains("Credential=AKIDTEST/").contains("/eu-west-1/sns/aws4_request");

        List<LoggedRequest> puts = aws.findAll(postRequestedFor(urlPathEqualTo(PUT_METRIC_DATA)));
        assertThat(puts).hasSize(2);
        JsonNode sent = null;
        for (LoggedRequest put : puts) {
            JsonNode body = CBOR.readTree(put.getBody());
            if ("orders".equals(dimensions(body.get("MetricData").get(0)).get("Cluster"))) {
                sent = body;
            }
        }
        assertThat(sent).as("PutMetricData for the orders alert").isNotNull();
        assertThat(sent.get("Namespace").asText()).isEqualTo("drpilot-it");
        JsonNode firing = sent.get("MetricData").get(0);
        assertThat(firing.get("MetricName").asText()).isEqualTo("AlertFiring");
        assertThat(firing.get("Value").asDouble()).isEqualTo(1.0);
        assertThat(dimensions(firing)).containsEntry("Rule", "replication-lag").containsEntry("Component", "orders-db")
                .containsEntry("Cluster", "orders").containsEntry("Severity", "critical");
        JsonNode value = sent.get("MetricData").get(1);
        assertThat(value.get("MetricName").asText()).isEqualTo("AlertValue");
        assertThat(value.get("Value").asDouble()).isEqualTo(95.0);
        assertThat(value.get("Unit").asText()).isEqualTo("Seconds");
        assertThat(dimensions(value)).containsEntry("Node", "pg-2");

        List<ActionRecord> actions = kafka.actionRecords();
        assertThat(actions).extracting(ActionRecord::getStatus).containsOnly(ActionStatus.SUCCEEDED);
        assertThat(actions).filteredOn(action -> action.getName().equals("sns-pager")).singleElement()
                .satisfies(action -> assertThat(action.getAttributes()).containsEntry("attempts", "2"));
        assertThat(actions).filteredOn(action -> action.getName().equals("cloudwatch-figures")).hasSize(2);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    private static Map<String, String> dimensions(JsonNode datum) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        datum.get("Dimensions").forEach(dimension -> dimensions.put(dimension.get("Name").asText(), dimension.get("Value").asText()));
        return dimensions;
    }
}
