package dev.drpilot.notify.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.MetricsScrape;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyOptions;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two webhook receivers on the real broker; one answers 503, then is unreachable, then comes back.
 * The other is not delayed meanwhile; the one that was down gets its whole backlog, in order,
 * each notification accepted once; a re-emitted FIRING is absorbed by the re-notify interval.
 */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class ReceiverIsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer steady = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private final List<WireMockServer> flaky = new ArrayList<>();

    @AfterEach
    void stop() {
        steady.stop();
        flaky.forEach(WireMockServer::stop);
    }

    @Test
    void aReceiverThatIsDownDelaysOnlyItselfAndGetsItsBacklogInOrderOnceBack(EmbeddedKafkaBroker broker) throws Exception {
        steady.start();
        steady.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        WireMockServer down = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        flaky.add(down);
        down.start();
        int flakyPort = down.port();
        down.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(503).withBody("maintenance")));

        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: steady-hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                  - {name: flaky-hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                """.formatted(steady.port(), flakyPort), "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        List<Alert> sent = new ArrayList<>();
        for (String cluster : List.of("orders", "billing", "search")) {
            Alert firing = TestAlerts.firing(cluster, Severity.WARNING).build();
            sent.add(firing);
            if (cluster.equals("orders")) {
                sent.add(Alert.newBuilder(firing).build()); // the detector re-emitting the same FIRING
            }
            sent.add(TestAlerts.resolved(firing, TestAlerts.STARTS_AT.plusSeconds(300)));
        }

        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                kafka.options().withMetrics("127.0.0.1", 0)).start()) {
            kafka.send(sent.toArray(Alert[]::new));

            await("the steady receiver gets every notification while the other is down").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(notifications(steady)).hasSize(6));
            assertThat(down.findAll(postRequestedFor(urlEqualTo("/hook")))).isNotEmpty();

            // Now unreachable: nothing listens on its port, and it keeps being retried.
            double retriesBefore = retries(actuator);
            down.stop();
            await("retries against the unreachable receiver").atMost(Duration.ofSeconds(30))
                    .until(() -> retries(actuator) >= retriesBefore + 3);

            WireMockServer back = new WireMockServer(options().port(flakyPort).bindAddress("127.0.0.1"));
            flaky.add(back);
            back.start();
            back.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));

            await("the backlog delivered once the receiver is back").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(notifications(back)).hasSize(6));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(notifications(back)).hasSize(6));

            List<String> expected = List.of("orders:firing", "orders:resolved", "billing:firing", "billing:resolved", "search:firing",
                    "search:resolved");
            for (WireMockServer server : List.of(steady, back)) {
                List<String> received = notifications(server);
                assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
                for (String cluster : List.of("orders", "billing", "search")) {
                    assertThat(received.indexOf(cluster + ":firing")).as("FIRING before RESOLVED for " + cluster)
                            .isLessThan(received.indexOf(cluster + ":resolved"));
                }
            }
            assertThat(MetricsScrape.of(actuator.metricsPort()).value("drpilot_alert_notifications_suppressed_total",
                    Map.of("receiver", "steady-hook"))).hasValue(1.0);
        }
        List<ActionRecord> actions = kafka.actionRecords();
        assertThat(actions).extracting(ActionRecord::getStatus).containsOnly(ActionStatus.SUCCEEDED);
        assertThat(actions).filteredOn(action -> action.getName().equals("flaky-hook")).hasSize(6)
                .anySatisfy(action -> assertThat(Integer.parseInt(action.getAttributes().get("attempts"))).isGreaterThan(3));
        assertThat(actions).filteredOn(action -> action.getName().equals("steady-hook")).hasSize(6)
                .allSatisfy(action -> assertThat(action.getAttributes()).containsEntry("attempts", "1"));
    }

    @Test
    void aReceiverDownLongerThanTheRetryBudgetGetsTheFailureRecordedAndMovesOn(EmbeddedKafkaBroker broker) throws Exception {
        steady.start();
        steady.stubFor(post(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"orders\""))
                .willReturn(aResponse().withStatus(503).withBody("down for maintenance")));
        steady.stubFor(post(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"billing\""))
                .willReturn(aResponse().withStatus(200)));
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: short-budget-hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                """.formatted(steady.port()), "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        // 100 + 200 + 400 ms of waits fit 1 s: three retries, then the failure is final.
        NotifyOptions options = kafka.options().withRetryPolicy(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        Alert orders = TestAlerts.firing("orders", Severity.WARNING).build();
        Alert billing = TestAlerts.firing("billing", Severity.WARNING).build();
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), options).start()) {
            kafka.send(orders, billing);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(2));
        }
        assertThat(steady.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"orders\"")))).hasSize(4);
        assertThat(kafka.actionRecords()).filteredOn(action -> action.getFingerprint().equals(orders.getFingerprint())).singleElement()
                .satisfies(action -> {
                    assertThat(action.getStatus()).isEqualTo(ActionStatus.FAILED);
                    assertThat(action.getAttributes()).containsEntry("reason", "retries_exhausted").containsEntry("attempts", "4")
                            .containsEntry("httpStatus", "503");
                    assertThat(action.getDetail()).contains("gave up after 3 retries", "down for maintenance");
                });
        assertThat(kafka.actionRecords()).filteredOn(action -> action.getFingerprint().equals(billing.getFingerprint()))
                .extracting(ActionRecord::getStatus).containsExactly(ActionStatus.SUCCEEDED);
    }

    @Test
    void anAlertBeingRetriedHoldsBackOnlyItselfNotTheReceiversOtherAlerts(EmbeddedKafkaBroker broker) throws Exception {
        steady.start();
        steady.stubFor(post(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"orders\""))
                .willReturn(aResponse().withStatus(503).withBody("orders' route is down")));
        steady.stubFor(post(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"billing\""))
                .willReturn(aResponse().withStatus(200)));
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: one-hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                """.formatted(steady.port()), "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        NotifyOptions options = kafka.options().withRetryPolicy(new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMinutes(2)));
        Alert orders = TestAlerts.firing("orders", Severity.WARNING).build();
        Alert billing = TestAlerts.firing("billing", Severity.WARNING).build();
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), options).start()) {
            // Sent first, same receiver: in one lane for the whole receiver, billing would wait up to 2 minutes behind it.
            kafka.send(orders, billing, TestAlerts.resolved(orders, TestAlerts.STARTS_AT.plusSeconds(300)));

            await("billing delivered while orders is still being retried").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(kafka.actionRecords()).extracting(ActionRecord::getFingerprint).contains(billing.getFingerprint()));
            assertThat(kafka.actionRecords()).as("orders neither delivered nor given up yet")
                    .extracting(ActionRecord::getFingerprint).doesNotContain(orders.getFingerprint());
            await("orders retried meanwhile").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    steady.findAll(postRequestedFor(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"orders\"")))).hasSizeGreaterThan(2));

            steady.stubFor(post(urlEqualTo("/hook")).withRequestBody(containing("\"cluster\":\"orders\""))
                    .willReturn(aResponse().withStatus(200)));
            await("orders' FIRING and RESOLVED delivered once its route is back").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(kafka.actionRecords()).filteredOn(action -> action.getFingerprint().equals(orders.getFingerprint())).hasSize(2)
                            .extracting(ActionRecord::getStatus).containsOnly(ActionStatus.SUCCEEDED));
        }
        List<String> requests = notifications(steady);
        assertThat(requests.lastIndexOf("orders:firing")).as("every try of orders' FIRING before its RESOLVED")
                .isLessThan(requests.indexOf("orders:resolved"));
        assertThat(requests).containsOnlyOnce("billing:firing");
    }

    private static double retries(NotifyService actuator) throws Exception {
        return MetricsScrape.of(actuator.metricsPort()).value("drpilot_alert_delivery_retries_total", Map.of("receiver", "flaky-hook"))
                .orElse(0);
    }

    /** What a server accepted, as cluster:status, in arrival order. */
    private static List<String> notifications(WireMockServer server) throws Exception {
        List<String> notifications = new ArrayList<>();
        for (LoggedRequest request : server.findAll(postRequestedFor(urlEqualTo("/hook")))) {
            JsonNode body = JSON.readTree(request.getBodyAsString());
            notifications.add(body.at("/commonLabels/cluster").asText() + ":" + body.get("status").asText());
        }
        return notifications;
    }
}
