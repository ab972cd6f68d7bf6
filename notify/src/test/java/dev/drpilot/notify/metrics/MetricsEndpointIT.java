package dev.drpilot.notify.metrics;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.MetricsScrape;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.notify.TestObservations;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scrapes the actuator's {@code /metrics} as Prometheus would: alerts fire, get delivered and resolve; the plant is observed; a failover ends. */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class MetricsEndpointIT {
    @Test
    void exposesFiringAlertsDeliveriesLatencyAndJvmMetrics(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: audit-log, type: log}
                routes:
                  - {match: {rule: [replication-lag]}, receivers: [audit-log]}
                """, "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert lag = TestAlerts.firing("orders", Severity.CRITICAL).setEmittedAt(Instant.now()).setTriggerTime(Instant.now()).build();
        Alert backup = TestAlerts.firing("orders", Severity.WARNING).setRule("backup-failed").setFingerprint("backup-failed/component=orders-db")
                .setValue(null).build();
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                kafka.options().withMetrics("127.0.0.1", 0)).start()) {
            assertThat(actuator.metricsPort()).isPositive();
            // A record no one can read goes to the dead-letter topic and holds nothing up.
            kafka.sendRaw(lag.getFingerprint(), "not an alert".getBytes(StandardCharsets.UTF_8));
            kafka.send(lag, backup);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape metrics = MetricsScrape.of(actuator.metricsPort());
                assertThat(metrics.value("drpilot_alerts_firing", Map.of("rule", "replication-lag", "severity", "critical"))).hasValue(1.0);
                assertThat(metrics.value("drpilot_alerts_firing", Map.of("rule", "backup-failed", "severity", "warning"))).hasValue(1.0);
                // Lag comes from observations only: the alert's value is not exported a second time under the same name.
                assertThat(metrics.value("drpilot_replication_lag_seconds", Map.of("cluster", "orders"))).isEmpty();
                assertThat(metrics.value("drpilot_alert_deliveries_total", Map.of("receiver", "audit-log"))).hasValue(1.0);
                assertThat(metrics.value("drpilot_alert_delivery_latency_seconds_count", Map.of("receiver", "audit-log"))).hasValue(1.0);
                // Observation to alert: only the alert that names its triggering observation's time counts.
                assertThat(metrics.value("drpilot_alert_latency_seconds_count", Map.of("rule", "replication-lag", "severity", "critical")))
                        .hasValue(1.0);
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
            assertThat(metrics.text()).contains("# TYPE drpilot_alert_deliveries_total counter", "# TYPE drpilot_alert_delivery_latency_seconds histogram",
                    "# TYPE drpilot_alert_latency_seconds histogram");
            assertThat(metrics.value("drpilot_alert_latency_seconds_count", Map.of("rule", "backup-failed"))).isEmpty();

            kafka.send(TestAlerts.resolved(lag, Instant.now()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape after = MetricsScrape.of(actuator.metricsPort());
                assertThat(after.value("drpilot_alerts_firing", Map.of("rule", "replication-lag"))).isEmpty();
                assertThat(after.value("drpilot_alerts_firing", Map.of("rule", "backup-failed"))).hasValue(1.0);
                assertThat(after.value("drpilot_alert_deliveries_total", Map.of("receiver", "audit-log"))).hasValue(2.0);
            });
        }
    }

    @Test
    void exposesReplicationLagBackupsTargetsAndFailoversFromTheTopics(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                components:
                  - {name: orders-db, kind: database, cluster: orders}
                clusters:
                  orders:
                    component: orders-db
                    replicationInterval: 1s
                    nodes:
                      - {name: pg-1, host: 127.0.0.1, role: primary, user: drpilot}
                      - {name: pg-2, host: 127.0.0.1, user: drpilot}
                      - {name: pg-3, host: 127.0.0.1, user: drpilot}
                """, "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant lastBackup = now.minus(Duration.ofHours(1));
        // Written before the actuator starts: replication and backups are read back at start, a past failover is not counted again.
        kafka.sendReplication(TestObservations.lag("pg-2", 95.0, 1L << 20, now),
                TestObservations.lag("pg-3", 0.5, 100L, now.minus(Duration.ofMinutes(20))));
        kafka.sendBackup(TestObservations.backup(BackupStatus.SUCCEEDED, lastBackup, now.minusSeconds(30), now));
        kafka.sendAction(TestObservations.failoverSummary("inc-before", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                Map.of("rtoMillis", "60000"), now.minus(Duration.ofDays(2))));

        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                kafka.options().withMetrics("127.0.0.1", 0)).start()) {
            kafka.sendAction(TestObservations.failoverSummary("inc-1", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                    Map.of("rtoMillis", "5300", "oldPrimary", "pg-1", "newPrimary", "pg-2"), Instant.now()));
            kafka.sendRaw(kafka.backup(), "orders", "not a backup observation".getBytes(StandardCharsets.UTF_8));

            Map<String, String> orders = Map.of("cluster", "orders");
            Map<String, String> ordersDb = Map.of("component", "orders-db");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape metrics = MetricsScrape.of(actuator.metricsPort());
                assertThat(metrics.value("drpilot_replication_lag_seconds", Map.of("component", "orders-db", "cluster", "orders", "node", "pg-2")))
                        .hasValue(95.0);
                assertThat(metrics.value("drpilot_replication_lag_bytes", Map.of("cluster", "orders", "node", "pg-2"))).hasValue(1 << 20);
                assertThat(metrics.value("drpilot_last_successful_backup_timestamp_seconds", ordersDb)).hasValue(lastBackup.toEpochMilli() / 1000.0);
                assertThat(metrics.value("drpilot_failover_duration_seconds_sum", orders)).hasValue(5.3);
                assertThat(metrics.value("drpilot_metrics_records_unreadable_total", Map.of("topic", kafka.backup()))).hasValue(1.0);
            });
            MetricsScrape metrics = MetricsScrape.of(actuator.metricsPort());
            // Observed 20 minutes ago, ten intervals of 1 s and the 5 minute floor long past: no series.
            assertThat(metrics.value("drpilot_replication_lag_seconds", Map.of("node", "pg-3"))).isEmpty();
            assertThat(metrics.value("drpilot_recovery_point_age_seconds", ordersDb).orElseThrow()).isBetween(30.0, 60.0);
            assertThat(metrics.value("drpilot_rto_target_seconds", ordersDb)).hasValue(900.0);
            assertThat(metrics.value("drpilot_rpo_target_seconds", ordersDb)).hasValue(300.0);
            assertThat(metrics.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "succeeded"))).hasValue(1.0);
            assertThat(metrics.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "failed"))).hasValue(0.0);
            assertThat(metrics.value("drpilot_failover_duration_seconds_count", orders)).hasValue(1.0);
            assertThat(metrics.text()).contains("# TYPE drpilot_failovers_total counter", "# TYPE drpilot_failover_duration_seconds histogram",
                    "# TYPE drpilot_recovery_point_age_seconds gauge");

            kafka.sendReplication(TestObservations.lag("pg-2", 2.0, 512L, Instant.now()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(MetricsScrape.of(actuator.metricsPort())
                    .value("drpilot_replication_lag_seconds", Map.of("node", "pg-2"))).hasValue(2.0));
        }
    }

    @Test
    void observationTopicsCreatedAfterTheStartAreStillRead(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("components: [{name: orders-db, kind: database}]", "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        // The broker creates no topic on demand: these do not exist until the test creates them.
        NotifyKafka late = new NotifyKafka(broker, kafka.alerts(), kafka.actions(), kafka.deadLetter(), TestNames.unique("it-late-replication"),
                TestNames.unique("it-late-backup"), kafka.health(), kafka.leases(), kafka.groupPrefix());
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                late.options().withMetrics("127.0.0.1", 0)).start();
             Admin admin = Admin.create(broker.clientProperties())) {
            assertThat(MetricsScrape.of(actuator.metricsPort()).value("drpilot_replication_lag_seconds", Map.of())).isEmpty();
            admin.createTopics(List.of(new NewTopic(late.replication(), 2, (short) 1), new NewTopic(late.backup(), 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            Instant now = Instant.now();
            late.sendReplication(TestObservations.lag("pg-2", 7.0, 70L, now));
            late.sendBackup(TestObservations.backup(BackupStatus.SUCCEEDED, now.minusSeconds(5), now.minusSeconds(5), now));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape metrics = MetricsScrape.of(actuator.metricsPort());
                assertThat(metrics.value("drpilot_replication_lag_seconds", Map.of("node", "pg-2"))).hasValue(7.0);
                assertThat(metrics.value("drpilot_last_successful_backup_timestamp_seconds", Map.of("component", "orders-db"))).isPresent();
            });
        }
    }
}
