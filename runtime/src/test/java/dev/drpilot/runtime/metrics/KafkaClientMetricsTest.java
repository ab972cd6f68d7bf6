package dev.drpilot.runtime.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClientMetricsTest {
    private final Metrics kafka = new Metrics();

    @AfterEach
    void close() {
        kafka.close();
    }

    private String scrape(KafkaClientMetrics metrics) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void names_follow_prometheus_conventions_with_seconds_and_totals() {
        assertThat(KafkaClientMetrics.naming(new MetricName("commit-latency-avg", "stream-thread-metrics", "", Map.of())))
                .isEqualTo(new KafkaClientMetrics.Naming("kafka_stream_thread_commit_latency_avg_seconds", false, 1e-3));
        assertThat(KafkaClientMetrics.naming(new MetricName("dropped-records-total", "stream-task-metrics", "", Map.of())))
                .isEqualTo(new KafkaClientMetrics.Naming("kafka_stream_task_dropped_records", true, 1));
        assertThat(KafkaClientMetrics.naming(new MetricName("io-wait-time-ns-total", "producer-metrics", "", Map.of())))
                .isEqualTo(new KafkaClientMetrics.Naming("kafka_producer_io_wait_time_seconds", true, 1e-9));
        assertThat(KafkaClientMetrics.naming(new MetricName("records-lag", "consumer-fetch-manager-metrics", "", Map.of())))
                .isEqualTo(new KafkaClientMetrics.Naming("kafka_consumer_fetch_manager_records_lag", false, 1));
        assertThat(KafkaClientMetrics.naming(new MetricName("last-poll-seconds-ago", "consumer-metrics", "", Map.of())).scale()).isEqualTo(1);
    }

    @Test
    void exports_numbers_with_tags_as_labels_and_leaves_out_the_rest() throws IOException {
        Sensor commits = kafka.sensor("commits");
        commits.add(kafka.metricName("commit-total", "stream-thread-metrics", "Commits", Map.of("thread-id", "t-1")), new CumulativeSum());
        commits.add(kafka.metricName("commit-latency-avg", "stream-thread-metrics", "Commit latency", Map.of("thread-id", "t-1")), new Avg());
        commits.record(250);
        commits.record(750);
        Sensor lag = kafka.sensor("lag");
        lag.add(kafka.metricName("records-lag", "consumer-fetch-manager-metrics", "Lag",
                Map.of("client-id", "c", "topic", "drpilot.alerts", "partition", "0")), new Value());
        lag.record(42);
        kafka.addMetric(kafka.metricName("version", "app-info", "", Map.of()), (Gauge<String>) (config, now) -> "4.4.0");

        String text = scrape(new KafkaClientMetrics(() -> List.of(kafka.metrics()), name -> true));

        assertThat(text).contains("kafka_stream_thread_commit_total{thread_id=\"t-1\"} 1000.0",
                "kafka_stream_thread_commit_latency_avg_seconds{thread_id=\"t-1\"} 0.5",
                "kafka_consumer_fetch_manager_records_lag{client_id=\"c\",partition=\"0\",topic=\"drpilot.alerts\"} 42.0",
                "# TYPE kafka_stream_thread_commit_total counter");
        assertThat(text).doesNotContain("kafka_metrics_count");
        assertThat(text).doesNotContain("app_info_version");
    }

    @Test
    void a_filter_chooses_what_is_bridged() throws IOException {
        Sensor sensor = kafka.sensor("mine");
        sensor.add(kafka.metricName("evaluations-total", "drpilot-rule-metrics", "", Map.of("rule", "x")), new CumulativeSum());
        sensor.add(kafka.metricName("process-total", "stream-thread-metrics", "", Map.of()), new CumulativeSum());
        sensor.record(1);

        String text = scrape(new KafkaClientMetrics(() -> List.of(kafka.metrics()), name -> !name.group().startsWith("drpilot")));

        assertThat(text).contains("kafka_stream_thread_process_total").doesNotContain("evaluations");
    }
}
