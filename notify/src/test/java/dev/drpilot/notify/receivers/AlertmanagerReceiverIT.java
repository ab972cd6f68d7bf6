package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Alerts into a real Alertmanager HA pair (two processes from the installed binary), through the real broker. */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class AlertmanagerReceiverIT {
    @TempDir
    Path dir;

    @Test
    void bothAlertmanagersHoldTheFiringAlertWhileResendsKeepItActiveAndDropItOnceResolved(EmbeddedKafkaBroker broker) throws Exception {
        try (AlertmanagerProcess first = AlertmanagerProcess.start(dir.resolve("am-1"));
             AlertmanagerProcess second = AlertmanagerProcess.start(dir.resolve("am-2"))) {
            // A 1 s resend interval: endsAt lies 4 s ahead, so only resends keep the alert active beyond that.
            DrpilotConfig config = ConfigLoader.parse("""
                    receivers:
                      - {name: alertmanager-ha, type: alertmanager, urls: ["%s", "%s/"], resendInterval: 1s}
                    """.formatted(first.url(), second.url()), "it", name -> null);
            NotifyKafka kafka = NotifyKafka.create(broker);
            Alert firing = TestAlerts.firing("orders", Severity.CRITICAL).build();
            try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
                kafka.send(firing);
                for (AlertmanagerProcess alertmanager : List.of(first, second)) {
                    await("the alert active in " + alertmanager.url()).atMost(Duration.ofSeconds(60))
                            .untilAsserted(() -> assertThat(held(alertmanager, "orders")).hasValueSatisfying(alert -> {
                                assertThat(alert.at("/status/state").asText()).isEqualTo("active");
                                assertThat(alert.at("/labels/alertname").asText()).isEqualTo("ReplicationLag");
                                assertThat(alert.at("/labels/severity").asText()).isEqualTo("critical");
                                assertThat(alert.at("/labels/component").asText()).isEqualTo("orders-db");
                                assertThat(alert.at("/labels/node").asText()).isEqualTo("pg-2");
                                assertThat(alert.at("/annotations/summary").asText()).isEqualTo("Replica pg-2 of orders is 95 s behind");
                                assertThat(alert.at("/annotations/description").asText()).isEqualTo("Replication lag stayed above 60 s for 30 s.");
                                assertThat(alert.at("/annotations/runbook_url").asText()).isEqualTo("https://runbooks.example.com/replication-lag");
                                assertThat(Instant.parse(alert.at("/startsAt").asText())).isEqualTo(TestAlerts.STARTS_AT);
                            }));
                }
                // Longer than the 4 s endsAt of one send: still active only because it is re-sent.
                await("the alert to stay active past its first endsAt").during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(12))
                        .untilAsserted(() -> assertThat(held(first, "orders")).isPresent());

                Instant resolvedAt = Instant.now().minusSeconds(1);
                kafka.send(TestAlerts.resolved(firing, resolvedAt));
                for (AlertmanagerProcess alertmanager : List.of(first, second)) {
                    await("the alert resolved in " + alertmanager.url()).atMost(Duration.ofSeconds(60))
                            .untilAsserted(() -> assertThat(held(alertmanager, "orders")).isEmpty());
                }
                // The resolved state keeps being re-sent (15 min), and a re-sent resolution never re-opens it.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                        .untilAsserted(() -> assertThat(held(first, "orders")).isEmpty());
            }
            List<ActionRecord> actions = kafka.actionRecords();
            assertThat(actions).extracting(ActionRecord::getStatus).containsExactly(ActionStatus.SUCCEEDED, ActionStatus.SUCCEEDED);
            assertThat(actions).extracting(action -> action.getAttributes().get("alertStatus")).containsExactly("FIRING", "RESOLVED");
        }
    }

    @Test
    void oneAlertmanagerDownDoesNotHoldBackTheReceiver(EmbeddedKafkaBroker broker) throws Exception {
        try (AlertmanagerProcess alive = AlertmanagerProcess.start(dir.resolve("am-alive"))) {
            DrpilotConfig config = ConfigLoader.parse("""
                    receivers:
                      - {name: alertmanager-ha, type: alertmanager, urls: ["http://127.0.0.1:1", "%s"]}
                    """.formatted(alive.url()), "it", name -> null);
            NotifyKafka kafka = NotifyKafka.create(broker);
            try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
                kafka.send(TestAlerts.firing("inventory", Severity.WARNING).build());
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(held(alive, "inventory")).isPresent());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafka.actionRecords())
                        .singleElement().extracting(ActionRecord::getStatus).isEqualTo(ActionStatus.SUCCEEDED));
            }
        }
    }

    @Test
    void aFiringAlertDeliveredBeforeARestartIsStillResentAfterIt(EmbeddedKafkaBroker broker) throws Exception {
        try (AlertmanagerProcess alertmanager = AlertmanagerProcess.start(dir.resolve("am-restart"))) {
            DrpilotConfig config = ConfigLoader.parse("""
                    receivers:
                      - {name: alertmanager, type: alertmanager, urls: ["%s"], resendInterval: 1s}
                    """.formatted(alertmanager.url()), "it", name -> null);
            NotifyKafka kafka = NotifyKafka.create(broker);
            try (NotifyService before = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
                kafka.send(TestAlerts.firing("payments", Severity.CRITICAL).build());
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(1));
            }
            // The FIRING is committed, so the new run does not read it again; it must still keep it alive.
            try (NotifyService after = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
                await("the alert to stay active well past 4 resend intervals after the restart").during(Duration.ofSeconds(8))
                        .atMost(Duration.ofSeconds(12)).untilAsserted(() -> assertThat(held(alertmanager, "payments")).isPresent());
            }
            assertThat(kafka.actionRecords()).as("the restart delivered nothing twice").hasSize(1);
        }
    }

    private static Optional<JsonNode> held(AlertmanagerProcess alertmanager, String cluster) throws Exception {
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode alert : alertmanager.alerts()) {
            if (cluster.equals(alert.at("/labels/cluster").asText())) {
                matching.add(alert);
            }
        }
        assertThat(matching).as("one alert per fingerprint in " + alertmanager.url()).hasSizeLessThanOrEqualTo(1);
        return matching.stream().findFirst();
    }
}
