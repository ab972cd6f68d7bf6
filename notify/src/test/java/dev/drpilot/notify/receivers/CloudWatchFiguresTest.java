package dev.drpilot.notify.receivers;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CloudWatchFiguresTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");

    @Test
    void theDrFiguresGoOutInRequestsOfAtMostAThousandDataWithCapitalisedDimensions() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Gauge lag = Gauge.builder().name("drpilot_replication_lag_seconds").labelNames("component", "cluster", "node").register(registry);
        for (int i = 0; i < 2_400; i++) {
            lag.labelValues("db-" + i, "c-" + i, "pg-2").set(i);
        }
        lag.labelValues("db-nan", "c-nan", "pg-2").set(Double.NaN);
        Gauge.builder().name("drpilot_recovery_point_age_seconds").labelNames("component").register(registry).labelValues("orders-data").set(420);
        Gauge.builder().name("jvm_unrelated").register(registry).set(1);

        List<PutMetricDataRequest> requests = CloudWatchFigures.requests("drpilot", registry.scrape(), NOW);

        assertThat(requests).extracting(request -> request.metricData().size()).containsExactly(1_000, 1_000, 401);
        assertThat(requests).allSatisfy(request -> assertThat(request.namespace()).isEqualTo("drpilot"));
        List<MetricDatum> all = requests.stream().flatMap(request -> request.metricData().stream()).toList();
        assertThat(all).noneMatch(datum -> datum.dimensions().stream().anyMatch(d -> d.value().equals("db-nan")));
        assertThat(all).filteredOn(datum -> datum.metricName().equals("RecoveryPointAgeSeconds")).singleElement().satisfies(datum -> {
            assertThat(datum.value()).isEqualTo(420.0);
            assertThat(datum.unit()).isEqualTo(StandardUnit.SECONDS);
            assertThat(datum.timestamp()).isEqualTo(NOW);
            assertThat(datum.dimensions()).containsExactly(Dimension.builder().name("Component").value("orders-data").build());
        });
        assertThat(all).filteredOn(datum -> datum.metricName().equals("ReplicationLagSeconds")).hasSize(2_400)
                .anySatisfy(datum -> assertThat(datum.dimensions()).extracting(Dimension::name).containsExactlyInAnyOrder("Component", "Cluster", "Node"));
    }

    @Test
    void nothingToSayIsNoRequest() {
        assertThat(CloudWatchFigures.requests("drpilot", new PrometheusRegistry().scrape(), NOW)).isEmpty();
    }
}
