package dev.drpilot.actuator.metrics;

import dev.drpilot.actuator.ActuatorKafka;
import dev.drpilot.actuator.ActuatorService;
import dev.drpilot.actuator.MetricsScrape;
import dev.drpilot.actuator.TestAlerts;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scrapes the actuator's {@code /metrics} as Prometheus would, while alerts fire, get delivered and resolve. */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class MetricsEndpointIT {
    @Test
    void exposesFiringAlertsReplicationLagDeliveriesLatencyAndJvmMetrics(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: audit-log, type: log}
                routes:
                  - {match: {rule: [replication-lag]}, receivers: [audit-log]}
                """, "it", name -> null);
        ActuatorKafka kafka = ActuatorKafka.create(broker);
        Alert lag = TestAlerts.firing("orders", Severity.CRITICAL).setEmittedAt(Instant.now()).build();
        Alert backup = TestAlerts.firing("orders", Severity.WARNING).setRule("backup-failed").setFingerprint("backup-failed/component=orders-db")
                .setValue(null).build();
        try (ActuatorService actuator = new ActuatorService(config, broker.clientProperties(), Clock.systemUTC(),
                kafka.options().withMetrics("127.0.0.1", 0)).start()) {
            assertThat(actuator.metricsPort()).isPositive();
            // A record no one can read goes to the dead-letter topic and holds nothing up.
            kafka.sendRaw(lag.getFingerprint(), "not an alert".getBytes(StandardCharsets.UTF_8));
            kafka.send(lag, backup);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape metrics = MetricsScrape.of(actuator.metricsPort());
                assertThat(metrics.value("drpilot_alerts_firing", Map.of("rule", "replication-lag", "severity", "critical"))).hasValue(1.0);
                assertThat(metrics.value("drpilot_alerts_firing", Map.of("rule", "backup-failed", "severity", "warning"))).hasValue(1.0);
                assertThat(metrics.value("drpilot_replication_lag_seconds", Map.of("cluster", "orders", "node", "pg-2", "component", "orders-db")))
                        .hasValue(95.0);
                assertThat(metrics.value("drpilot_alert_deliveries_total", Map.of("receiver", "audit-log"))).hasValue(1.0);
                assertThat(metrics.value("drpilot_alert_delivery_latency_seconds_count", Map.of("receiver", "audit-log"))).hasValue(1.0);
            });
            MetricsScrape metrics = MetricsScrape.of(actuator.metricsPort());
            assertThat(metrics.value("drpilot_alert_records_unreadable_total", Map.of("receiver", "audit-log"))).hasValue(1.0);
            assertThat(kafka.deadLetters()).singleElement().satisfies(dead -> {
                assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not an alert");
                assertThat(new String(dead.headers().lastHeader("drpilot.error.consumer").value(), StandardCharsets.UTF_8))
                        .endsWith("audit-log");
            });
            assertThat(metrics.value("drpilot_alert_delivery_latency_seconds_sum", Map.of("receiver", "audit-log")).orElseThrow())
                    .isPositive().isLessThan(30.0);
            assertThat(metrics.value("jvm_memory_used_bytes", Map.of("area", "heap"))).isPresent();
            assertThat(metrics.value("jvm_threads_current", Map.of())).isPresent();
            assertThat(metrics.text()).contains("# TYPE drpilot_alert_deliveries_total counter", "# TYPE drpilot_alert_delivery_latency_seconds histogram");

            kafka.send(TestAlerts.resolved(lag, Instant.now()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape after = MetricsScrape.of(actuator.metricsPort());
                assertThat(after.value("drpilot_alerts_firing", Map.of("rule", "replication-lag"))).isEmpty();
                assertThat(after.value("drpilot_replication_lag_seconds", Map.of("cluster", "orders"))).isEmpty();
                assertThat(after.value("drpilot_alerts_firing", Map.of("rule", "backup-failed"))).hasValue(1.0);
                assertThat(after.value("drpilot_alert_deliveries_total", Map.of("receiver", "audit-log"))).hasValue(2.0);
            });
        }
    }
}
