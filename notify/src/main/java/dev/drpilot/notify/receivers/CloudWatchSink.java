package dev.drpilot.notify.receivers;

import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns alerts into CloudWatch figures (PutMetricData), for CloudWatch alarms and dashboards:
 * {@code AlertFiring} 1 while an alert fires and 0 once it resolved, by rule, component, severity
 * and cluster; and the measured value of the alert as {@code AlertValue} (the replication lag of
 * a replication-lag alert, for example). Values CloudWatch rejects (NaN, infinities) are left out.
 */
final class CloudWatchSink implements AlertSink {
    private final CloudWatchClient cloudwatch;
    private final String namespace;

    CloudWatchSink(CloudWatchClient cloudwatch, String namespace) {
        this.cloudwatch = cloudwatch;
        this.namespace = namespace;
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        try {
            cloudwatch.putMetricData(request(namespace, alert));
        } catch (SdkException e) {
            throw AwsClients.sorted("CloudWatch PutMetricData", e);
        }
    }

    static PutMetricDataRequest request(String namespace, Alert alert) {
        List<Dimension> dimensions = new ArrayList<>();
        dimensions.add(dimension("Rule", alert.getRule()));
        dimensions.add(dimension("Component", alert.getComponent()));
        if (alert.getCluster() != null) {
            dimensions.add(dimension("Cluster", alert.getCluster()));
        }
        List<MetricDatum> data = new ArrayList<>();
        List<Dimension> firingDimensions = new ArrayList<>(dimensions);
        firingDimensions.add(dimension("Severity", AlertText.severity(alert)));
        data.add(MetricDatum.builder().metricName("AlertFiring").dimensions(firingDimensions).timestamp(alert.getEmittedAt())
                .value(alert.getStatus() == AlertStatus.FIRING ? 1.0 : 0.0).unit(StandardUnit.COUNT).build());
        Double value = alert.getValue();
        if (value != null && Double.isFinite(value)) {
            List<Dimension> valueDimensions = new ArrayList<>(dimensions);
            if (alert.getNode() != null) {
                valueDimensions.add(dimension("Node", alert.getNode()));
            }
            data.add(MetricDatum.builder().metricName("AlertValue").dimensions(valueDimensions).timestamp(alert.getEmittedAt())
                    .value(value).unit(unit(alert.getUnit())).build());
        }
        return PutMetricDataRequest.builder().namespace(namespace).metricData(data).build();
    }

    static StandardUnit unit(String unit) {
        if (unit == null) {
            return StandardUnit.NONE;
        }
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "seconds", "second", "s" -> StandardUnit.SECONDS;
            case "milliseconds", "ms" -> StandardUnit.MILLISECONDS;
            case "bytes" -> StandardUnit.BYTES;
            case "percent", "%" -> StandardUnit.PERCENT;
            default -> StandardUnit.NONE;
        };
    }

    private static Dimension dimension(String name, String value) {
        return Dimension.builder().name(name).value(value == null || value.isEmpty() ? "-" : value).build();
    }

    @Override
    public void close() {
        cloudwatch.close();
    }
}
