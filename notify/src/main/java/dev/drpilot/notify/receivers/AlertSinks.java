package dev.drpilot.notify.receivers;

import dev.drpilot.config.Receiver;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.sns.SnsClient;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Builds the sink of a configured receiver; the configuration has already checked what each type needs. */
public final class AlertSinks {
    private AlertSinks() {
    }

    /**
     * @param firingHere the alerts routed to this receiver that are firing now, as far as known: an
     *                   Alertmanager receiver keeps re-sending them after a restart, when the
     *                   FIRING records themselves were delivered (and committed) before it
     * @return empty for receiver types this version does not deliver alerts to (none at the moment)
     */
    public static Optional<AlertSink> create(Receiver receiver, Duration httpTimeout, Clock clock, AwsCredentialsProvider awsCredentials,
                                             Supplier<List<Alert>> firingHere) {
        return switch (receiver.type()) {
            case ALERTMANAGER -> Optional.of(new AlertmanagerSink(receiver.name(), receiver.urls(),
                    receiver.resendInterval().orElse(Duration.ofMinutes(1)), httpTimeout, clock, firingHere));
            case PAGERDUTY -> Optional.of(new PagerDutySink(receiver.url().orElseThrow(), receiver.routingKey().orElseThrow(), httpTimeout));
            case WEBHOOK -> Optional.of(new WebhookSink(receiver.name(), receiver.url().orElseThrow(), httpTimeout));
            case EMAIL -> Optional.of(new EmailSink(receiver.smtp().orElseThrow(), receiver.from().orElseThrow(), receiver.to(), httpTimeout));
            case LOG -> Optional.of(new LogSink(receiver.name()));
            case SNS -> Optional.of(new SnsSink(AwsClients.build(SnsClient.builder(), receiver.region().orElseThrow(), receiver.endpoint(),
                    awsCredentials, httpTimeout), receiver.topicArn().orElseThrow()));
            case CLOUDWATCH -> Optional.of(new CloudWatchSink(cloudWatchClient(receiver, awsCredentials, httpTimeout),
                    receiver.namespace().orElse("drpilot")));
        };
    }

    /** The CloudWatch client of a cloudwatch receiver: its region and endpoint, the given credentials. */
    public static CloudWatchClient cloudWatchClient(Receiver receiver, AwsCredentialsProvider awsCredentials,
                                                    Duration httpTimeout) {
        return AwsClients.build(CloudWatchClient.builder(), receiver.region().orElseThrow(), receiver.endpoint(), awsCredentials, httpTimeout);
    }
}
