package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
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

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PagerDuty Events API v2 through the real broker, against a local fake of events.pagerduty.com. */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class PagerDutyReceiverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTING_KEY = "R0UT1NGKEY0123456789abcdef012345";
    private static final String ENQUEUE = "/v2/enqueue";

    private final WireMockServer pagerduty = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @BeforeEach
    void start() {
        pagerduty.start();
    }

    @AfterEach
    void stop() {
        pagerduty.stop();
    }

    private DrpilotConfig config() {
        return ConfigLoader.parse("""
                receivers:
                  - {name: pagerduty-oncall, type: pagerduty, routingKey: "${PD_ROUTING_KEY}", url: "http://127.0.0.1:%d/v2/enqueue"}
                routes:
                  - {match: {severity: [critical]}, receivers: [pagerduty-oncall]}
                """.formatted(pagerduty.port()), "it", name -> name.equals("PD_ROUTING_KEY") ? ROUTING_KEY : null);
    }

    @Test
    void retries429And500ThenDeliversOnceAndRecordsA400WithoutRetrying(EmbeddedKafkaBroker broker) throws Exception {
        String accepted = "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"x\"}";
        pagerduty.stubFor(post(urlEqualTo(ENQUEUE)).withRequestBody(containing("cluster=orders")).inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(429).withBody("{\"status\":\"throttled\"}"))
                .willSetStateTo("throttled-once"));
        pagerduty.stubFor(post(urlEqualTo(ENQUEUE)).withRequestBody(containing("cluster=orders")).inScenario("flaky")
                .whenScenarioStateIs("throttled-once").willReturn(aResponse().withStatus(500).withBody("oops"))
                .willSetStateTo("healthy"));
        pagerduty.stubFor(post(urlEqualTo(ENQUEUE)).withRequestBody(containing("cluster=orders")).inScenario("flaky")
                .whenScenarioStateIs("healthy").willReturn(aResponse().withStatus(202).withBody(accepted)));
        String invalid = "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"Length of 'routing_key' is incorrect\"]}";
        pagerduty.stubFor(post(urlEqualTo(ENQUEUE)).withRequestBody(containing("cluster=billing"))
                .willReturn(aResponse().withStatus(400).withBody(invalid)));

        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert orders = TestAlerts.firing("orders", Severity.CRITICAL).build();
        Alert billing = TestAlerts.firing("billing", Severity.CRITICAL).build();
        Alert notPaged = TestAlerts.firing("reporting", Severity.WARNING).build();
        try (NotifyService actuator = new NotifyService(config(), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(notPaged, orders, billing);

            await("a SUCCEEDED and a FAILED delivery on the actions topic").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(kafka.actionRecords()).extracting(ActionRecord::getFingerprint)
                            .contains(orders.getFingerprint(), billing.getFingerprint()));
            // Nothing more arrives: the accepted trigger is not sent again, the rejected one not retried.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(requestsFor("cluster=orders")).hasSize(3);
                assertThat(requestsFor("cluster=billing")).hasSize(1);
            });
        }

        List<LoggedRequest> ordersRequests = requestsFor("cluster=orders");
        JsonNode expected = JSON.readTree("""
                {"routing_key": "%s", "dedup_key": "replication-lag/cluster=orders/component=orders-db/node=pg-2",
                 "event_action": "trigger", "client": "drpilot",
                 "payload": {"summary": "Replica pg-2 of orders is 95 s behind", "source": "orders/pg-2", "severity": "critical",
                             "timestamp": "2026-11-24T03:00:00Z", "component": "orders-db", "group": "orders", "class": "replication-lag",
                             "custom_details": {"alertname": "ReplicationLag", "cluster": "orders", "component": "orders-db", "node": "pg-2",
                                                "rule": "replication-lag", "severity": "critical",
                                                "description": "Replication lag stayed above 60 s for 30 s.",
                                                "value": 95.0, "threshold": 60.0, "unit": "seconds", "firing_since": "2026-11-24T03:00:00Z"}},
                 "links": [{"href": "https://runbooks.example.com/replication-lag", "text": "Runbook"}]}
                """.formatted(ROUTING_KEY));
        for (LoggedRequest request : ordersRequests) {
            assertThat(JSON.readTree(request.getBodyAsString())).isEqualTo(expected);
            assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        }
        assertThat(pagerduty.findAll(postRequestedFor(urlEqualTo(ENQUEUE)).withRequestBody(containing("cluster=reporting")))).isEmpty();

        List<ActionRecord> actions = kafka.actionRecords();
        assertThat(actions).filteredOn(action -> action.getFingerprint().equals(orders.getFingerprint())).singleElement().satisfies(action -> {
            assertThat(action.getKind()).isEqualTo(ActionKind.ALERT_DELIVERY);
            assertThat(action.getName()).isEqualTo("pagerduty-oncall");
            assertThat(action.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(action.getAttributes()).containsEntry("attempts", "3").containsEntry("alertStatus", "FIRING");
        });
        assertThat(actions).filteredOn(action -> action.getFingerprint().equals(billing.getFingerprint())).singleElement().satisfies(action -> {
            assertThat(action.getStatus()).isEqualTo(ActionStatus.FAILED);
            assertThat(action.getAttributes()).containsEntry("attempts", "1").containsEntry("httpStatus", "400")
                    .containsEntry("reason", "rejected");
            assertThat(action.getDetail()).contains("Length of 'routing_key' is incorrect").doesNotContain(ROUTING_KEY);
        });
    }

    @Test
    void aResolvedAlertResolvesTheIncidentByDedupKey(EmbeddedKafkaBroker broker) throws Exception {
        pagerduty.stubFor(post(urlEqualTo(ENQUEUE)).willReturn(aResponse().withStatus(202).withBody("{\"status\":\"success\"}")));
        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert firing = TestAlerts.firing("orders", Severity.CRITICAL).build();
        try (NotifyService actuator = new NotifyService(config(), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(firing, TestAlerts.resolved(firing, TestAlerts.STARTS_AT.plusSeconds(600)));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(requestsFor("")).hasSize(2));
        }
        List<LoggedRequest> requests = requestsFor("");
        assertThat(JSON.readTree(requests.get(0).getBodyAsString()).get("event_action").asText()).isEqualTo("trigger");
        assertThat(JSON.readTree(requests.get(1).getBodyAsString())).isEqualTo(JSON.readTree("""
                {"routing_key": "%s", "dedup_key": "%s", "event_action": "resolve"}""".formatted(ROUTING_KEY, firing.getFingerprint())));
    }

    private List<LoggedRequest> requestsFor(String bodyPart) {
        return pagerduty.findAll(postRequestedFor(urlEqualTo(ENQUEUE)).withRequestBody(containing(bodyPart)));
    }
}
