package dev.drpilot.notify;

import dev.drpilot.notify.delivery.RetryPolicy;
import dev.drpilot.schemas.topic.Topics;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.time.Duration;

/**
 * How the actuator runs, beyond the configuration file: the metrics endpoint, delivery timing,
 * and the topic and group names (tests use their own, production the catalogue's).
 *
 * @param metricsHost       interface of the {@code /metrics} endpoint
 * @param metricsPort       its port; 0 picks a free one, -1 turns the endpoint off
 * @param replicationTopic  replication observations, read for {@code /metrics}
 * @param backupTopic       backup observations, read for {@code /metrics}
 * @param healthTopic       health observations, read for the live topology ({@code /metrics}, the status page)
 * @param leasesTopic       the agents' leases, read for the live topology
 * @param groupIdPrefix     each receiver consumes as group {@code prefix + receiver name}
 * @param retryPolicy       backoff and total budget for retriable delivery failures
 * @param renotifyInterval  an identical FIRING alert is not sent to a receiver again within this
 * @param newGroupLookback  a receiver seen for the first time starts this far back in the alerts topic
 * @param httpTimeout       connect and request timeout of every receiver call
 * @param awsCredentials    credentials of the SNS and CloudWatch receivers (default: the SDK's chain)
 */
public record NotifyOptions(String metricsHost, int metricsPort, String alertsTopic, String actionsTopic, String deadLetterTopic,
                              String replicationTopic, String backupTopic, String healthTopic, String leasesTopic, String groupIdPrefix,
                              RetryPolicy retryPolicy, Duration renotifyInterval, Duration newGroupLookback,
                              Duration httpTimeout, AwsCredentialsProvider awsCredentials) {
    public static final int DEFAULT_METRICS_PORT = 9464;
    public static final String DEFAULT_GROUP_PREFIX = "drpilot-receiver-";

    public static NotifyOptions defaults() {
        return new NotifyOptions("0.0.0.0", DEFAULT_METRICS_PORT, Topics.ALERTS.name(), Topics.ACTIONS.name(), Topics.DEAD_LETTER.name(),
                Topics.REPLICATION_OBSERVATIONS.name(), Topics.BACKUP_OBSERVATIONS.name(),
                Topics.HEALTH_OBSERVATIONS.name(), Topics.AGENT_LEASES.name(), DEFAULT_GROUP_PREFIX, RetryPolicy.defaults(),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofSeconds(10),
                DefaultCredentialsProvider.builder().build());
    }

    public NotifyOptions withMetrics(String host, int port) {
        return new NotifyOptions(host, port, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, healthTopic, leasesTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withTopics(String alerts, String actions, String deadLetter) {
        return new NotifyOptions(metricsHost, metricsPort, alerts, actions, deadLetter, replicationTopic, backupTopic, healthTopic, leasesTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withObservationTopics(String replication, String backup) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replication, backup, healthTopic, leasesTopic, groupIdPrefix,
                retryPolicy, renotifyInterval, newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withTopologyTopics(String health, String leases) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, health, leases,
                groupIdPrefix, retryPolicy, renotifyInterval, newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withGroupIdPrefix(String prefix) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, healthTopic, leasesTopic,
                prefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withRetryPolicy(RetryPolicy policy) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, healthTopic, leasesTopic,
                groupIdPrefix, policy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withRenotifyInterval(Duration interval) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, healthTopic, leasesTopic,
                groupIdPrefix, retryPolicy, interval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public NotifyOptions withAwsCredentials(AwsCredentialsProvider credentials) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, healthTopic, leasesTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, credentials);
    }

    public NotifyOptions withHttpTimeout(Duration timeout) {
        return new NotifyOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic, healthTopic, leasesTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, timeout, awsCredentials);
    }
}
