package dev.drpilot.actuator;

import dev.drpilot.actuator.delivery.RetryPolicy;
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
 * @param groupIdPrefix     each receiver consumes as group {@code prefix + receiver name}
 * @param retryPolicy       backoff and total budget for retriable delivery failures
 * @param renotifyInterval  an identical FIRING alert is not sent to a receiver again within this
 * @param newGroupLookback  a receiver seen for the first time starts this far back in the alerts topic
 * @param httpTimeout       connect and request timeout of every receiver call
 * @param awsCredentials    credentials of the SNS and CloudWatch receivers (default: the SDK's chain)
 */
public record ActuatorOptions(String metricsHost, int metricsPort, String alertsTopic, String actionsTopic, String deadLetterTopic,
                              String replicationTopic, String backupTopic, String groupIdPrefix, RetryPolicy retryPolicy, Duration renotifyInterval, Duration newGroupLookback,
                              Duration httpTimeout, AwsCredentialsProvider awsCredentials) {
    public static final int DEFAULT_METRICS_PORT = 9464;
    public static final String DEFAULT_GROUP_PREFIX = "drpilot-receiver-";

    public static ActuatorOptions defaults() {
        return new ActuatorOptions("0.0.0.0", DEFAULT_METRICS_PORT, Topics.ALERTS.name(), Topics.ACTIONS.name(), Topics.DEAD_LETTER.name(),
                Topics.REPLICATION_OBSERVATIONS.name(), Topics.BACKUP_OBSERVATIONS.name(), DEFAULT_GROUP_PREFIX, RetryPolicy.defaults(),
                Duration.ofHours(4), Duration.ofHours(1), Duration.ofSeconds(10),
                DefaultCredentialsProvider.builder().build());
    }

    public ActuatorOptions withMetrics(String host, int port) {
        return new ActuatorOptions(host, port, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public ActuatorOptions withTopics(String alerts, String actions, String deadLetter) {
        return new ActuatorOptions(metricsHost, metricsPort, alerts, actions, deadLetter, replicationTopic, backupTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public ActuatorOptions withObservationTopics(String replication, String backup) {
        return new ActuatorOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replication, backup, groupIdPrefix,
                retryPolicy, renotifyInterval, newGroupLookback, httpTimeout, awsCredentials);
    }

    public ActuatorOptions withGroupIdPrefix(String prefix) {
        return new ActuatorOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic,
                prefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public ActuatorOptions withRetryPolicy(RetryPolicy policy) {
        return new ActuatorOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic,
                groupIdPrefix, policy, renotifyInterval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public ActuatorOptions withRenotifyInterval(Duration interval) {
        return new ActuatorOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic,
                groupIdPrefix, retryPolicy, interval,
                newGroupLookback, httpTimeout, awsCredentials);
    }

    public ActuatorOptions withAwsCredentials(AwsCredentialsProvider credentials) {
        return new ActuatorOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, httpTimeout, credentials);
    }

    public ActuatorOptions withHttpTimeout(Duration timeout) {
        return new ActuatorOptions(metricsHost, metricsPort, alertsTopic, actionsTopic, deadLetterTopic, replicationTopic, backupTopic,
                groupIdPrefix, retryPolicy, renotifyInterval,
                newGroupLookback, timeout, awsCredentials);
    }
}
