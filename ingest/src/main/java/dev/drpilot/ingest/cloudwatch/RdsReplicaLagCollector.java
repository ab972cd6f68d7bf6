package dev.drpilot.ingest.cloudwatch;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.CloudWatchSource;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads AWS RDS replica lag from CloudWatch ({@code AWS/RDS} {@code ReplicaLag}, seconds, and
 * {@code ReplicationSlotDiskUsage}, bytes, by {@code DBInstanceIdentifier}) with one
 * {@code GetMetricData} call per interval for all of a cluster's RDS nodes, and publishes one
 * replication observation per node, from the vantage {@code cloudwatch:<region>}.
 */
public final class RdsReplicaLagCollector implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RdsReplicaLagCollector.class);
    // RDS publishes these metrics every minute; a 5-minute window always holds the newest point.
    private static final Duration WINDOW = Duration.ofMinutes(5);

    private final ClusterConfig cluster;
    private final CloudWatchSource cloudwatch;
    private final CloudWatchClient client;
    private final Source source;
    private final Producer<String, ReplicationObservation> producer;
    private final Clock clock;

    public RdsReplicaLagCollector(ClusterConfig cluster, CloudWatchClient client, CollectorIdentity identity,
                                  Producer<String, ReplicationObservation> producer, Clock clock) {
        this.cluster = cluster;
        this.cloudwatch = cluster.cloudwatch().orElseThrow();
        this.client = client;
        this.source = Source.newBuilder().setCollectorId(identity.collectorId()).setVantage("cloudwatch:" + cloudwatch.region()).build();
        this.producer = producer;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            for (ReplicationObservation observation : collect()) {
                producer.send(new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), cluster.name(), observation), (metadata, error) -> {
                    if (error != null) {
                        log.warn("[cluster={}] CloudWatch observation not delivered: {}", cluster.name(), error.toString());
                    }
                });
            }
        } catch (RuntimeException e) {
            log.error("[cluster={}] CloudWatch collection failed: {}", cluster.name(), e.toString(), e);
        }
    }

    List<ReplicationObservation> collect() {
        List<NodeConfig> nodes = cluster.nodes().stream().filter(node -> node.rdsInstanceId().isPresent()).toList();
        Instant now = clock.instant();
        List<MetricDataQuery> queries = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String instance = nodes.get(i).rdsInstanceId().orElseThrow();
            queries.add(query("lag" + i, "ReplicaLag", instance));
            queries.add(query("slot" + i, "ReplicationSlotDiskUsage", instance));
        }
        Map<String, Double> latest = new HashMap<>();
        String error = null;
        try {
            GetMetricDataRequest request = GetMetricDataRequest.builder()
                    .startTime(now.minus(WINDOW)).endTime(now).scanBy(ScanBy.TIMESTAMP_DESCENDING).metricDataQueries(queries).build();
            String nextToken = null;
            do {
                GetMetricDataResponse response = client.getMetricData(request.toBuilder().nextToken(nextToken).build());
                for (MetricDataResult result : response.metricDataResults()) {
                    // Newest first (TIMESTAMP_DESCENDING): the first value is the current figure.
                    if (!result.values().isEmpty()) {
                        latest.putIfAbsent(result.id(), result.values().get(0));
                    }
                }
                nextToken = response.nextToken();
            } while (nextToken != null);
        } catch (SdkException e) {
            error = "CloudWatch GetMetricData failed: " + e.getMessage();
            log.warn("[cluster={}] {}", cluster.name(), error);
        }
        List<ReplicationObservation> observations = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Optional<Double> lag = Optional.ofNullable(latest.get("lag" + i));
            Optional<Double> slot = Optional.ofNullable(latest.get("slot" + i));
            String problem = error != null ? error
                    : lag.isEmpty() ? "no ReplicaLag datapoint for " + nodes.get(i).rdsInstanceId().orElseThrow() + " in the last 5 minutes" : null;
            observations.add(ReplicationObservation.newBuilder()
                    .setObservedAt(now)
                    .setSource(source)
                    .setComponent(cluster.component())
                    .setCluster(cluster.name())
                    .setReplicaNode(nodes.get(i).name())
                    // RDS reports -1 while replication is not active.
                    .setStreaming(lag.map(value -> value >= 0).orElse(false))
                    .setLagSeconds(lag.filter(value -> value >= 0).orElse(null))
                    .setSlotDiskUsageBytes(slot.map(Double::longValue).orElse(null))
                    .setError(problem)
                    .build());
        }
        return observations;
    }

    private static MetricDataQuery query(String id, String metric, String instance) {
        return MetricDataQuery.builder()
                .id(id)
                .returnData(true)
                .metricStat(MetricStat.builder()
                        .metric(Metric.builder().namespace("AWS/RDS").metricName(metric)
                                .dimensions(Dimension.builder().name("DBInstanceIdentifier").value(instance).build()).build())
                        .period(60)
                        .stat("Average")
                        .build())
                .build();
    }
}
