package dev.drpilot.notify.metrics;

import dev.drpilot.events.Severity;
import dev.drpilot.notify.MetricsScrape;
import dev.drpilot.notify.SettableClock;
import dev.drpilot.notify.TestAlerts;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AlertLatencyTest {
    private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
    private static final Map<String, String> LAG_CRITICAL = Map.of("rule", "replication-lag", "severity", "critical");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SettableClock clock = new SettableClock(T0);
    private final AlertLatency latency = new AlertLatency(registry, clock);

    @Test
    void measuresFromTheTriggeringObservationToTheReadPerRuleAndSeverity() throws Exception {
        clock.set(T0.plusMillis(120));
        latency.read(TestAlerts.firing("orders", Severity.CRITICAL).setTriggerTime(T0).build());
        clock.set(T0.plusSeconds(2));
        latency.read(TestAlerts.firing("orders", Severity.CRITICAL).setTriggerTime(T0).build());

        MetricsScrape scrape = MetricsScrape.of(registry);
        assertThat(scrape.value("drpilot_alert_latency_seconds_count", LAG_CRITICAL)).hasValue(2.0);
        assertThat(scrape.value("drpilot_alert_latency_seconds_sum", LAG_CRITICAL).orElseThrow()).isCloseTo(2.12, within(1e-9));
        assertThat(scrape.value("drpilot_alert_latency_seconds_bucket", Map.of("rule", "replication-lag", "le", "0.1"))).hasValue(0.0);
        assertThat(scrape.value("drpilot_alert_latency_seconds_bucket", Map.of("rule", "replication-lag", "le", "0.15"))).hasValue(1.0);
        assertThat(scrape.value("drpilot_alert_latency_seconds_bucket", Map.of("rule", "replication-lag", "le", "2.5"))).hasValue(2.0);
        assertThat(scrape.value("drpilot_alert_latency_seconds_bucket", Map.of("rule", "replication-lag", "le", "60.0"))).hasValue(2.0);
    }

    @Test
    void anAlertWithoutATriggerTimeIsNotCounted() throws Exception {
        latency.read(TestAlerts.firing("orders", Severity.CRITICAL).build());
        assertThat(MetricsScrape.of(registry).value("drpilot_alert_latency_seconds_count", LAG_CRITICAL)).isEmpty();
    }

    @Test
    void aTriggerTimeAheadOfTheReadersClockCountsAsNoLatency() throws Exception {
        latency.read(TestAlerts.firing("orders", Severity.CRITICAL).setTriggerTime(T0.plusSeconds(3)).build());
        MetricsScrape scrape = MetricsScrape.of(registry);
        assertThat(scrape.value("drpilot_alert_latency_seconds_sum", LAG_CRITICAL)).hasValue(0.0);
        assertThat(scrape.value("drpilot_alert_latency_seconds_bucket", Map.of("rule", "replication-lag", "le", "0.01"))).hasValue(1.0);
    }
}
