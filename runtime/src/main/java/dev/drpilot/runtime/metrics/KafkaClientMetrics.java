package dev.drpilot.runtime.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Kafka's own client metrics (producers, consumers, admin clients, Kafka Streams: whatever {@code metrics()} returns)
 * as Prometheus metrics, read at each scrape: nothing is copied in between, and a client closed or replaced (a new
 * stream thread) simply stops or starts appearing.
 *
 * <p>Names follow Prometheus' conventions, mechanically: {@code kafka_} + the group without {@code -metrics} + the
 * name, dashes as underscores ({@code stream-thread-metrics / commit-rate} becomes {@code kafka_stream_thread_commit_rate});
 * a Kafka {@code *-total} is a counter ({@code _total}); times are in seconds ({@code -ms} and {@code -ns} metrics, and
 * Kafka's latencies and times, which are milliseconds, are converted and named {@code _seconds}). Tags become labels
 * ({@code client-id} becomes {@code client_id}). Metrics that are not numbers (versions, commit ids) are left out, and so is Kafka's count of its own metrics.
 */
public final class KafkaClientMetrics implements MultiCollector {
    // One bridge per registry: two would export the same names (every client has producer-metrics), and a registry
    // refuses a scrape with a name twice. drpilot run puts the collectors' and the detectors' clients into one.
    private static final Map<PrometheusRegistry, KafkaClientMetrics> BRIDGES = new WeakHashMap<>();

    private record Source(Supplier<? extends Collection<? extends Map<MetricName, ? extends Metric>>> metrics,
                          Predicate<MetricName> include) {
    }

    private final List<Source> sources = new CopyOnWriteArrayList<>();

    /**
     * @param sources the clients' metrics, asked at every scrape (e.g. {@code () -> List.of(producer.metrics())})
     * @param include which to export: Kafka Streams at INFO level has some hundreds of series per thread, and a
     *                service may export its own figures from some of them under names of its own
     */
    public KafkaClientMetrics(Supplier<? extends Collection<? extends Map<MetricName, ? extends Metric>>> sources,
                              Predicate<MetricName> include) {
        add(sources, include);
    }

    private KafkaClientMetrics() {
    }

    /** The registry's bridge, registered with it on first use; services add their clients to it. */
    public static KafkaClientMetrics in(PrometheusRegistry registry) {
        synchronized (BRIDGES) {
            return BRIDGES.computeIfAbsent(registry, key -> {
                KafkaClientMetrics bridge = new KafkaClientMetrics();
                key.register(bridge);
                return bridge;
            });
        }
    }

    /** More clients to export (see the constructor). */
    public KafkaClientMetrics add(Supplier<? extends Collection<? extends Map<MetricName, ? extends Metric>>> metrics,
                                  Predicate<MetricName> include) {
        sources.add(new Source(metrics, include));
        return this;
    }

    /** How one Kafka metric is called in Prometheus, and what its value is multiplied by (units to seconds). */
    record Naming(String name, boolean counter, double scale) {
    }

    static Naming naming(MetricName metric) {
        String group = metric.group().endsWith("-metrics")
                ? metric.group().substring(0, metric.group().length() - "-metrics".length()) : metric.group();
        String name = metric.name();
        boolean counter = name.endsWith("-total");
        if (counter) {
            name = name.substring(0, name.length() - "-total".length());
        }
        List<String> tokens = new ArrayList<>(Arrays.asList(name.split("[-.]")));
        double scale = 1;
        if (tokens.contains("ns")) {
            tokens.set(tokens.indexOf("ns"), "seconds");
            scale = 1e-9;
        } else if (tokens.contains("ms")) {
            tokens.set(tokens.indexOf("ms"), "seconds");
            scale = 1e-3;
        } else if ((tokens.contains("latency") || tokens.contains("time")) && !tokens.contains("seconds")) {
            // Kafka's latencies and times without a unit in their name are milliseconds.
            tokens.add("seconds");
            scale = 1e-3;
        }
        String full = "kafka_" + group.replaceAll("[^a-zA-Z0-9]", "_") + "_" + String.join("_", tokens).replaceAll("[^a-zA-Z0-9_]", "_");
        return new Naming(PrometheusNaming.sanitizeMetricName(full), counter, scale);
    }

    static Labels labels(Map<String, String> tags) {
        Labels.Builder labels = Labels.builder();
        new TreeMap<>(tags).forEach((tag, value) -> labels.label(PrometheusNaming.sanitizeLabelName(tag), value == null ? "" : value));
        return labels.build();
    }

    private static final class Family {
        final Naming naming;
        final String help;
        final Set<Labels> seen = new HashSet<>();
        final CounterSnapshot.Builder counter;
        final GaugeSnapshot.Builder gauge;

        Family(Naming naming, String help) {
            this.naming = naming;
            this.help = help == null || help.isBlank() ? "Kafka client metric" : help;
            this.counter = naming.counter() ? CounterSnapshot.builder().name(naming.name()).help(this.help) : null;
            this.gauge = naming.counter() ? null : GaugeSnapshot.builder().name(naming.name()).help(this.help);
        }

        void add(Labels labels, double value) {
            if (!seen.add(labels)) {
                return;   // two clients with one client-id: the first one's figure stands
            }
            if (counter != null) {
                counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
            } else {
                gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
            }
        }

        MetricSnapshot build() {
            return counter != null ? counter.build() : gauge.build();
        }
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Family> families = new TreeMap<>();
        for (Source source : sources) {
            for (Map<MetricName, ? extends Metric> metrics : source.metrics().get()) {
                collect(metrics, source.include(), families);
            }
        }
        return new MetricSnapshots(families.values().stream().map(Family::build).toList());
    }

    private static void collect(Map<MetricName, ? extends Metric> metrics, Predicate<MetricName> include, Map<String, Family> families) {
        for (Map.Entry<MetricName, ? extends Metric> entry : Map.copyOf(metrics).entrySet()) {
            if (!include.test(entry.getKey()) || entry.getKey().group().equals("kafka-metrics-count")
                    || !(entry.getValue().metricValue() instanceof Number number)) {
                continue;
            }
            Naming naming = naming(entry.getKey());
            Family family = families.computeIfAbsent(naming.name(), name -> new Family(naming, entry.getKey().description()));
            if (family.naming.counter() != naming.counter()) {
                continue;   // a counter and a gauge that would share a name: keep the first
            }
            double value = number.doubleValue();
            if (naming.counter() && (Double.isNaN(value) || value < 0)) {
                continue;
            }
            family.add(labels(entry.getKey().tags()), value * naming.scale());
        }
    }
}
