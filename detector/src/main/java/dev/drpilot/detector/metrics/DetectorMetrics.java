package dev.drpilot.detector.metrics;

import dev.drpilot.events.Alert;
import dev.drpilot.runtime.metrics.KafkaClientMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The detectors on {@code /metrics}: Kafka Streams' and its clients' own metrics ({@link KafkaClientMetrics}:
 * process and commit rates and latencies, records lag, dropped records, RocksDB's INFO-level figures...), and
 * drpilot's: the application's and its threads' states, records dead-lettered by reason, evaluations per rule, and
 * the alerts open per rule (read from the rules' firing-alert stores at each scrape).
 */
public final class DetectorMetrics {
    private DetectorMetrics() {
    }

    /**
     * @param rules the rules, each with its store of firing alerts
     */
    public static void register(PrometheusRegistry registry, KafkaStreams streams, Map<String, String> rules, DeadLetters deadLetters) {
        KafkaClientMetrics.in(registry).add(() -> List.of(streams.metrics()), name -> !name.group().equals(RuleEvaluations.GROUP));
        GaugeWithCallback.builder().name("drpilot_detector_state")
                .help("1 for the state the detectors' Kafka Streams application is in (RUNNING when it detects), 0 for the others")
                .labelNames("state")
                .callback(callback -> {
                    KafkaStreams.State current = streams.state();
                    for (KafkaStreams.State state : KafkaStreams.State.values()) {
                        callback.call(state == current ? 1 : 0, state.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("drpilot_detector_stream_threads")
                .help("The detectors' stream threads, by thread state")
                .labelNames("state")
                .callback(callback -> {
                    Map<String, Integer> byState = new TreeMap<>();
                    try {
                        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                            byState.merge(thread.threadState(), 1, Integer::sum);
                        }
                    } catch (IllegalStateException notStarted) {
                        return;
                    }
                    byState.forEach((state, count) -> callback.call(count, state));
                }).register(registry);
        CounterWithCallback.builder().name("drpilot_detector_dead_lettered_total")
                .help("Records the detectors skipped and copied to drpilot.deadletter, by stage (deserialization or processing), "
                        + "processor node (source topic or rule) and exception")
                .labelNames("stage", "node", "exception")
                .callback(callback -> deadLetters.counts().forEach((reason, count) ->
                        callback.call(count, reason.stage(), reason.node(), reason.exception())))
                .register(registry);
        CounterWithCallback.builder().name("drpilot_detector_rule_evaluations_total")
                .help("Records each rule evaluated (observations, heartbeats, actions...), summed over its tasks")
                .labelNames("rule")
                .callback(callback -> evaluations(streams.metrics()).forEach((rule, count) -> callback.call(count, rule)))
                .register(registry);
        GaugeWithCallback.builder().name("drpilot_detector_open_alerts")
                .help("Alerts firing now, per rule, from the rule's own store (absent while the application is not RUNNING)")
                .labelNames("rule")
                .callback(callback -> rules.forEach((rule, store) ->
                        openAlerts(streams, store).ifPresent(count -> callback.call(count, rule))))
                .register(registry);
    }

    static Map<String, Double> evaluations(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Double> byRule = new TreeMap<>();
        metrics.forEach((name, metric) -> {
            if (name.group().equals(RuleEvaluations.GROUP) && name.name().equals(RuleEvaluations.NAME)
                    && metric.metricValue() instanceof Number count) {
                byRule.merge(name.tags().get("rule"), count.doubleValue(), Double::sum);
            }
        });
        return byRule;
    }

    private static OptionalLong openAlerts(KafkaStreams streams, String store) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return OptionalLong.empty();
        }
        try {
            ReadOnlyKeyValueStore<String, Alert> firing = streams.store(StoreQueryParameters.fromNameAndType(store,
                    QueryableStoreTypes.<String, Alert>keyValueStore()));
            long count = 0;
            try (KeyValueIterator<String, Alert> all = firing.all()) {
                while (all.hasNext()) {
                    all.next();
                    count++;
                }
            }
            return OptionalLong.of(count);
        } catch (InvalidStateStoreException e) {
            return OptionalLong.empty();   // rebalancing, or this instance holds none of its tasks
        }
    }
}
