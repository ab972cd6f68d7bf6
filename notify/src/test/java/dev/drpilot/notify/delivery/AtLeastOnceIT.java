package dev.drpilot.notify.delivery;

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
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What survives a restart of the actuator, and what a reader of committed alerts never sees. */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class AtLeastOnceIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer hook = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @BeforeEach
    void start() {
        hook.start();
    }

    @AfterEach
    void stop() {
        hook.stop();
    }

    private DrpilotConfig config() {
        return ConfigLoader.parse("""
                receivers:
                  - {name: hook, type: webhook, url: "http://127.0.0.1:%d/hook"}
                """.formatted(hook.port()), "it", name -> null);
    }

    @Test
    void anAlertNotYetDeliveredWhenTheActuatorStopsIsDeliveredAfterTheRestart(EmbeddedKafkaBroker broker) throws Exception {
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(503)));
        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert firing = TestAlerts.firing("orders", Severity.CRITICAL).build();
        try (NotifyService first = new NotifyService(config(), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(firing);
            await().atMost(Duration.ofSeconds(30)).until(() -> hook.findAll(postRequestedFor(urlEqualTo("/hook"))).size() >= 2);
        }
        assertThat(kafka.actionRecords()).as("nothing recorded: the delivery is still owed").isEmpty();

        hook.resetAll();
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        try (NotifyService second = new NotifyService(config(), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(1));
            kafka.send(TestAlerts.resolved(firing, TestAlerts.STARTS_AT.plusSeconds(120)));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(2));
        }
        // The delivered FIRING is committed: the second start did not send it twice.
        List<LoggedRequest> delivered = hook.findAll(postRequestedFor(urlEqualTo("/hook")));
        assertThat(delivered).extracting(request -> JSON.readTree(request.getBodyAsString()).get("status").asText())
                .containsExactly("firing", "resolved");
        assertThat(kafka.actionRecords()).extracting(ActionRecord::getStatus).containsOnly(ActionStatus.SUCCEEDED);
    }

    @Test
    void anAlertFromAnAbortedTransactionIsNeverDelivered(EmbeddedKafkaBroker broker) throws Exception {
        hook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert aborted = TestAlerts.firing("aborted", Severity.CRITICAL).build();
        Alert committed = TestAlerts.firing("committed", Severity.CRITICAL).build();
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestNames.unique("detector-like"));
        try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(props, new StringSerializer(), Topics.ALERTS.valueSerde().serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(kafka.alerts(), aborted.getFingerprint(), aborted)).get();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(kafka.alerts(), committed.getFingerprint(), committed)).get();
            producer.commitTransaction();
        }
        try (NotifyService actuator = new NotifyService(config(), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(1));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(hook.findAll(postRequestedFor(urlEqualTo("/hook")))).hasSize(1));
        }
        assertThat(JSON.readTree(hook.findAll(postRequestedFor(urlEqualTo("/hook"))).get(0).getBodyAsString()).at("/commonLabels/cluster").asText())
                .isEqualTo("committed");
    }
}
