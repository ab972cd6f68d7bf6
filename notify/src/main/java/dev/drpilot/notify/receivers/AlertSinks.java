package dev.drpilot.notify.receivers;

import dev.drpilot.config.AlertmanagerReceiver;
import dev.drpilot.config.CloudWatchReceiver;
import dev.drpilot.config.EmailReceiver;
import dev.drpilot.config.LogReceiver;
import dev.drpilot.config.OpsgenieReceiver;
import dev.drpilot.config.PagerDutyReceiver;
import dev.drpilot.config.Receiver;
import dev.drpilot.config.SlackReceiver;
import dev.drpilot.config.SnsReceiver;
import dev.drpilot.config.TeamsReceiver;
import dev.drpilot.config.WebhookReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.sns.SnsClient;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the sink of a configured receiver, one registration per receiver record; the
 * configuration has already checked what each type needs.
 */
public final class AlertSinks {
    private static final Map<Class<? extends Receiver>, Factory<Receiver>> FACTORIES = new HashMap<>();

    static {
        register(AlertmanagerReceiver.class, (receiver, needs) -> new AlertmanagerSink(receiver, needs.httpTimeout(), needs.clock(),
                needs.firingHere()));
        register(PagerDutyReceiver.class, (receiver, needs) -> new PagerDutySink(receiver, needs.httpTimeout()));
        register(EmailReceiver.class, (receiver, needs) -> new EmailSink(receiver, needs.httpTimeout()));
        register(SnsReceiver.class, (receiver, needs) -> new SnsSink(AwsClients.build(SnsClient.builder(), receiver.region(),
                receiver.endpoint(), needs.awsCredentials(), needs.httpTimeout()), receiver.topicArn()));
        register(CloudWatchReceiver.class, (receiver, needs) -> new CloudWatchSink(cloudWatchClient(receiver, needs.awsCredentials(),
                needs.httpTimeout()), receiver.namespace()));
        register(WebhookReceiver.class, (receiver, needs) -> new WebhookSink(receiver, needs.httpTimeout()));
        register(SlackReceiver.class, (receiver, needs) -> new SlackSink(receiver, needs.httpTimeout()));
        register(TeamsReceiver.class, (receiver, needs) -> new TeamsSink(receiver, needs.httpTimeout()));
        register(OpsgenieReceiver.class, (receiver, needs) -> new OpsgenieSink(receiver, needs.httpTimeout()));
        register(LogReceiver.class, (receiver, needs) -> new LogSink(receiver));
    }

    /** What sinks need besides their receiver's settings. */
    private record Needs(Duration httpTimeout, Clock clock, AwsCredentialsProvider awsCredentials, Supplier<List<Alert>> firingHere) {
    }

    @FunctionalInterface
    private interface Factory<R extends Receiver> {
        AlertSink create(R receiver, Needs needs);
    }

    private AlertSinks() {
    }

    private static <R extends Receiver> void register(Class<R> type, Factory<R> factory) {
        FACTORIES.put(type, (receiver, needs) -> factory.create(type.cast(receiver), needs));
    }

    /**
     * @param firingHere the alerts routed to this receiver that are firing now, as far as known: an
     *                   Alertmanager receiver keeps re-sending them after a restart, when the
     *                   FIRING records themselves were delivered (and committed) before it
     * @return empty for receiver types this version does not deliver alerts to (none at the moment)
     */
    public static Optional<AlertSink> create(Receiver receiver, Duration httpTimeout, Clock clock, AwsCredentialsProvider awsCredentials,
                                             Supplier<List<Alert>> firingHere) {
        Needs needs = new Needs(httpTimeout, clock, awsCredentials, firingHere);
        return Optional.ofNullable(FACTORIES.get(receiver.getClass())).map(factory -> factory.create(receiver, needs));
    }

    /** The CloudWatch client of a cloudwatch receiver: its region and endpoint, the given credentials. */
    public static CloudWatchClient cloudWatchClient(CloudWatchReceiver receiver, AwsCredentialsProvider awsCredentials,
                                                    Duration httpTimeout) {
        return AwsClients.build(CloudWatchClient.builder(), receiver.region(), receiver.endpoint(), awsCredentials, httpTimeout);
    }
}
