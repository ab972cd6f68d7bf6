package dev.drpilot.ingest.metrics;

import dev.drpilot.events.HealthObservation;
import dev.drpilot.runtime.metrics.KafkaClientMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The collectors on {@code /metrics}: each probe's outcome and latency per target (probe, cluster, node, and the vantage
 * it is seen from), the collector's heartbeat (when Kafka last took one), ingest API requests by observation type and
 * HTTP status, and the records the collectors' producers published or failed to, per topic (Kafka's own
 * {@code producer-topic-metrics}, which the producers' other metrics come with).
 */
public final class IngestMetrics {
    private static final String[] TARGET = {"probe", "kind", "component", "cluster", "node", "vantage"};

    private final PrometheusRegistry registry;
    private final Gauge probeUp;
    private final Counter probeRuns;
    private final Histogram probeLatency;
    private final Gauge lastHeartbeat;
    private final Counter heartbeats;
    private final Counter apiRequests;

    public IngestMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        probeUp = Gauge.builder().name("drpilot_probe_up")
                .help("1 when the probe's last run succeeded, 0 when it failed (a PostgreSQL that answered with an error counts as failed here)")
                .labelNames(TARGET).register(registry);
        probeRuns = Counter.builder().name("drpilot_probe_runs_total")
                .help("Probe runs by outcome: ok, failed (no answer, or a wrong one), refused (PostgreSQL answered with an error: alive)")
                .labelNames(with(TARGET, "outcome")).register(registry);
        probeLatency = Histogram.builder().name("drpilot_probe_latency_seconds")
                .help("How long a probe run took until its target answered (runs that timed out have no latency)")
                .labelNames(TARGET).classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        lastHeartbeat = Gauge.builder().name("drpilot_collector_last_heartbeat_timestamp_seconds")
                .help("When the collector's newest heartbeat that Kafka acknowledged was sent (Unix time)")
                .labelNames("collector", "vantage").register(registry);
        heartbeats = Counter.builder().name("drpilot_collector_heartbeats_total")
                .help("Heartbeats the collector sent, by outcome: published, or failed (Kafka refused it after the producer's retries)")
                .labelNames("collector", "outcome").register(registry);
        apiRequests = Counter.builder().name("drpilot_ingest_api_requests_total")
                .help("Requests to the ingest API by observation type (replication, backup, health; other for an unknown path) and HTTP status")
                .labelNames("type", "status").register(registry);
    }

    private static String[] with(String[] names, String more) {
        String[] all = java.util.Arrays.copyOf(names, names.length + 1);
        all[names.length] = more;
        return all;
    }

    /** One probe run, as published. */
    public void probed(HealthObservation observation) {
        String[] target = {observation.getProbe(), observation.getKind().name().toLowerCase(java.util.Locale.ROOT), observation.getComponent(),
                observation.getCluster() == null ? "" : observation.getCluster(), observation.getNode() == null ? "" : observation.getNode(),
                observation.getSource().getVantage()};
        probeUp.labelValues(target).set(observation.getOk() ? 1 : 0);
        String outcome = observation.getOk() ? "ok" : observation.getAnswered() ? "refused" : "failed";
        probeRuns.labelValues(with(target, outcome)).inc();
        if (observation.getLatencyMillis() != null) {
            probeLatency.labelValues(target).observe(observation.getLatencyMillis() / 1000.0);
        }
    }

    /** One heartbeat, once Kafka took it or finally refused it. */
    public void heartbeat(String collector, String vantage, Instant sentAt, boolean published) {
        heartbeats.labelValues(collector, published ? "published" : "failed").inc();
        if (published) {
            lastHeartbeat.labelValues(collector, vantage).set(sentAt.toEpochMilli() / 1000.0);
        }
    }

    /** One request to the ingest API, answered. */
    public void apiRequest(String type, int status) {
        apiRequests.labelValues(type, Integer.toString(status)).inc();
    }

    /** The collectors' producers: their Kafka metrics, and the records each topic got or did not. */
    public void producers(Supplier<? extends Collection<? extends Map<MetricName, ? extends Metric>>> producers) {
        KafkaClientMetrics.in(registry).add(producers, name -> true);
        CounterWithCallback.builder().name("drpilot_ingest_records_published_total")
                .help("Records the collectors' producers sent, per topic (Kafka's record-send-total, summed over the producers)")
                .labelNames("topic")
                .callback(callback -> perTopic(producers, "record-send-total").forEach((topic, count) -> callback.call(count, topic)))
                .register(registry);
        CounterWithCallback.builder().name("drpilot_ingest_records_failed_total")
                .help("Records the collectors could not publish, per topic (the producer gave up after its retries)")
                .labelNames("topic")
                .callback(callback -> perTopic(producers, "record-error-total").forEach((topic, count) -> callback.call(count, topic)))
                .register(registry);
    }

    private static Map<String, Double> perTopic(Supplier<? extends Collection<? extends Map<MetricName, ? extends Metric>>> producers,
                                                String metric) {
        Map<String, Double> byTopic = new TreeMap<>();
        for (Map<MetricName, ? extends Metric> metrics : producers.get()) {
            metrics.forEach((name, value) -> {
                if (name.group().equals("producer-topic-metrics") && name.name().equals(metric) && value.metricValue() instanceof Number count) {
                    byTopic.merge(name.tags().get("topic"), count.doubleValue(), Double::sum);
                }
            });
        }
        return byTopic;
    }
}
