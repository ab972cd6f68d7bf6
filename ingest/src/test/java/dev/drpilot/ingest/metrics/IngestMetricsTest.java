package dev.drpilot.ingest.metrics;

import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IngestMetricsTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final IngestMetrics metrics = new IngestMetrics(registry);

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static HealthObservation probe(boolean ok, boolean answered, Long latencyMillis) {
        return HealthObservation.newBuilder().setObservedAt(Instant.parse("2026-12-01T00:00:00Z"))
                .setSource(Source.newBuilder().setCollectorId("c-1").setVantage("eu-west-1a").build())
                .setProbe("orders/pg-1").setKind(ProbeKind.POSTGRES).setComponent("orders-db").setCluster("orders").setNode("pg-1")
                .setTarget("pg-1:5432").setOk(ok).setAnswered(answered).setRole(NodeRole.UNKNOWN).setLatencyMillis(latencyMillis)
                .setError(ok ? null : "refused").build();
    }

    @Test
    void probe_outcome_and_latency_per_target_and_vantage() throws IOException {
        metrics.probed(probe(true, true, 12L));
        metrics.probed(probe(false, true, 3L));
        metrics.probed(probe(false, false, null));

        String labels = "cluster=\"orders\",component=\"orders-db\",kind=\"postgres\",node=\"pg-1\",probe=\"orders/pg-1\",vantage=\"eu-west-1a\"";
        assertThat(scrape()).contains("drpilot_probe_up{" + labels + "} 0.0",
                "drpilot_probe_runs_total{cluster=\"orders\",component=\"orders-db\",kind=\"postgres\",node=\"pg-1\",outcome=\"ok\",probe=\"orders/pg-1\",vantage=\"eu-west-1a\"} 1.0",
                "drpilot_probe_runs_total{cluster=\"orders\",component=\"orders-db\",kind=\"postgres\",node=\"pg-1\",outcome=\"refused\",probe=\"orders/pg-1\",vantage=\"eu-west-1a\"} 1.0",
                "drpilot_probe_runs_total{cluster=\"orders\",component=\"orders-db\",kind=\"postgres\",node=\"pg-1\",outcome=\"failed\",probe=\"orders/pg-1\",vantage=\"eu-west-1a\"} 1.0",
                "drpilot_probe_latency_seconds_count{" + labels + "} 2",
                "drpilot_probe_latency_seconds_bucket{" + labels + ",le=\"0.005\"} 1");
    }

    @Test
    void heartbeat_time_is_the_newest_one_kafka_took() throws IOException {
        metrics.heartbeat("c-1", "eu-west-1a", Instant.ofEpochSecond(1_000), true);
        metrics.heartbeat("c-1", "eu-west-1a", Instant.ofEpochSecond(1_010), false);

        assertThat(scrape()).contains("drpilot_collector_last_heartbeat_timestamp_seconds{collector=\"c-1\",vantage=\"eu-west-1a\"} 1000.0",
                "drpilot_collector_heartbeats_total{collector=\"c-1\",outcome=\"failed\"} 1.0");
    }

    @Test
    void api_requests_by_type_and_status_and_records_per_topic_from_the_producers() throws IOException {
        metrics.apiRequest("replication", 202);
        metrics.apiRequest("replication", 202);
        metrics.apiRequest("other", 404);
        try (Metrics producer = new Metrics()) {
            Sensor sent = producer.sensor("sent");
            sent.add(producer.metricName("record-send-total", "producer-topic-metrics", "", Map.of("client-id", "p", "topic", "drpilot.health")),
                    new CumulativeSum());
            sent.record(7);
            metrics.producers(() -> List.of(producer.metrics()));

            assertThat(scrape()).contains("drpilot_ingest_api_requests_total{status=\"202\",type=\"replication\"} 2.0",
                    "drpilot_ingest_api_requests_total{status=\"404\",type=\"other\"} 1.0",
                    "drpilot_ingest_records_published_total{topic=\"drpilot.health\"} 7.0",
                    "kafka_producer_topic_record_send_total{client_id=\"p\",topic=\"drpilot.health\"} 7.0");
        }
    }
}
