package dev.drpilot.notify.metrics;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.notify.MetricsScrape;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static dev.drpilot.notify.TestObservations.drillSummary;
import static org.assertj.core.api.Assertions.assertThat;

class DrillMetricsTest {
    private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
    private static final Map<String, String> MONTHLY = Map.of("drill", "monthly");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final DrillMetrics metrics = new DrillMetrics(registry);

    @Test
    void aDrillsSummarySetsItsLastSuccessAndMeasuredFigures() throws Exception {
        metrics.accept(drillSummary("monthly", "drill-monthly-1", "PASSED", T0, Map.of("rtoMillis", "2279", "rpoMillis", "0")));
        MetricsScrape scrape = MetricsScrape.of(registry);
        assertThat(scrape.value("drpilot_drill_last_success_timestamp_seconds", MONTHLY)).hasValue(T0.getEpochSecond());
        assertThat(scrape.value("drpilot_drill_rto_seconds", MONTHLY)).hasValue(2.279);
        assertThat(scrape.value("drpilot_drill_rpo_seconds", MONTHLY)).hasValue(0.0);
    }

    @Test
    void aFailedRunKeepsTheLastSuccessAndShowsItsOwnFigures() throws Exception {
        metrics.accept(drillSummary("monthly", "drill-monthly-1", "PASSED", T0, Map.of("rtoMillis", "2000")));
        metrics.accept(drillSummary("monthly", "drill-monthly-2", "FAILED", T0.plusSeconds(3600), Map.of("rtoMillis", "5000")));
        MetricsScrape scrape = MetricsScrape.of(registry);
        assertThat(scrape.value("drpilot_drill_last_success_timestamp_seconds", MONTHLY)).hasValue(T0.getEpochSecond());
        assertThat(scrape.value("drpilot_drill_rto_seconds", MONTHLY)).hasValue(5.0);
        assertThat(scrape.value("drpilot_drill_rpo_seconds", MONTHLY)).isEmpty();
    }

    @Test
    void aDrillsStepsAndOtherRecordsAreNotRuns() throws Exception {
        metrics.accept(ActionRecord.newBuilder().setActionId("drill-monthly-1/1-admission").setKind(ActionKind.OPERATOR).setName("admission")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId("drill-monthly-1").setStartedAt(T0).setAttributes(Map.of("drill", "monthly")).build());
        metrics.accept(ActionRecord.newBuilder().setActionId("inc/summary").setKind(ActionKind.FAILOVER_SUMMARY).setName("summary")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId("inc").setStartedAt(T0).setAttributes(Map.of("rtoMillis", "10")).build());
        assertThat(MetricsScrape.of(registry).value("drpilot_drill_rto_seconds", MONTHLY)).isEmpty();
    }
}
