package dev.drpilot.notify.receivers;

import dev.drpilot.notify.delivery.DeliveryException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The DR figures on CloudWatch, for teams whose dashboards and alarms live there: every interval,
 * the current replication lag (seconds, bytes) per replica, the recovery point age and the last
 * good backup per component, and the open alerts by rule and severity — the same figures
 * {@code /metrics} serves — go out with {@code PutMetricData}, at most 1,000 data a request (the
 * API's limit; 30 dimensions and 1 MB are far off with these few labels). A failed publication is
 * logged and the next interval sends the then current figures: these are gauges, and a late old
 * value is worth less than a fresh one.
 */
public final class CloudWatchFigures implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CloudWatchFigures.class);
    static final int MAX_DATA_PER_REQUEST = 1_000;

    /** Prometheus gauge → CloudWatch metric name and unit. */
    private static final Map<String, Figure> FIGURES = Map.of(
            "drpilot_replication_lag_seconds", new Figure("ReplicationLagSeconds", StandardUnit.SECONDS),
            "drpilot_replication_lag_bytes", new Figure("ReplicationLagBytes", StandardUnit.BYTES),
            "drpilot_recovery_point_age_seconds", new Figure("RecoveryPointAgeSeconds", StandardUnit.SECONDS),
            "drpilot_last_successful_backup_timestamp_seconds", new Figure("LastSuccessfulBackupTimestamp", StandardUnit.SECONDS),
            "drpilot_alerts_firing", new Figure("AlertsFiring", StandardUnit.COUNT));

    private record Figure(String name, StandardUnit unit) {
    }

    private final String receiver;
    private final CloudWatchClient cloudwatch;
    private final String namespace;
    private final PrometheusRegistry registry;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    public CloudWatchFigures(String receiver, CloudWatchClient cloudwatch, String namespace, PrometheusRegistry registry, Clock clock) {
        this.receiver = receiver;
        this.cloudwatch = cloudwatch;
        this.namespace = namespace;
        this.registry = registry;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cloudwatch-figures-" + receiver);
            thread.setDaemon(true);
            return thread;
        });
    }

    public CloudWatchFigures start(Duration interval) {
        scheduler.scheduleAtFixedRate(this::publishQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("[receiver={}] publishing DR figures to CloudWatch namespace {} every {} s", receiver, namespace, interval.toSeconds());
        return this;
    }

    private void publishQuietly() {
        try {
            publish();
        } catch (DeliveryException | RuntimeException e) {
            log.warn("[receiver={}] DR figures not published to CloudWatch; the next interval sends the then current ones: {}",
                    receiver, e.getMessage());
        }
    }

    /** Sends the current figures; returns how many data were sent. */
    public int publish() throws DeliveryException {
        List<PutMetricDataRequest> requests = requests(namespace, registry.scrape(FIGURES::containsKey), clock.instant());
        int sent = 0;
        for (PutMetricDataRequest request : requests) {
            try {
                cloudwatch.putMetricData(request);
            } catch (SdkException e) {
                throw AwsClients.sorted("CloudWatch PutMetricData", e);
            }
            sent += request.metricData().size();
        }
        return sent;
    }

    static List<PutMetricDataRequest> requests(String namespace, MetricSnapshots snapshots, Instant now) {
        List<MetricDatum> data = new ArrayList<>();
        for (MetricSnapshot snapshot : snapshots) {
            Figure figure = FIGURES.get(snapshot.getMetadata().getName());
            if (figure == null || !(snapshot instanceof GaugeSnapshot)) {
                continue;
            }
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                double value = ((GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
                if (!Double.isFinite(value)) {
                    continue;   // CloudWatch rejects NaN and infinities
                }
                List<Dimension> dimensions = new ArrayList<>();
                for (Label label : point.getLabels()) {
                    dimensions.add(Dimension.builder().name(dimensionName(label.getName())).value(label.getValue()).build());
                }
                data.add(MetricDatum.builder().metricName(figure.name()).unit(figure.unit()).value(value).timestamp(now)
                        .dimensions(dimensions).build());
            }
        }
        List<PutMetricDataRequest> requests = new ArrayList<>();
        for (int from = 0; from < data.size(); from += MAX_DATA_PER_REQUEST) {
            requests.add(PutMetricDataRequest.builder().namespace(namespace)
                    .metricData(data.subList(from, Math.min(data.size(), from + MAX_DATA_PER_REQUEST))).build());
        }
        return requests;
    }

    /** {@code component} → {@code Component}: CloudWatch's own dimensions are capitalised. */
    private static String dimensionName(String label) {
        return label.substring(0, 1).toUpperCase(Locale.ROOT) + label.substring(1);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        cloudwatch.close();
    }
}
