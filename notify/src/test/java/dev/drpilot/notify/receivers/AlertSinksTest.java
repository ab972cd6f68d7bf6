package dev.drpilot.notify.receivers;

import dev.drpilot.config.AlertmanagerReceiver;
import dev.drpilot.config.CloudWatchReceiver;
import dev.drpilot.config.EmailReceiver;
import dev.drpilot.config.LogReceiver;
import dev.drpilot.config.OpsgenieReceiver;
import dev.drpilot.config.PagerDutyReceiver;
import dev.drpilot.config.Receiver;
import dev.drpilot.config.Secret;
import dev.drpilot.config.SlackReceiver;
import dev.drpilot.config.SnsReceiver;
import dev.drpilot.config.TeamsReceiver;
import dev.drpilot.config.WebhookReceiver;
import dev.drpilot.notify.delivery.AlertSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every receiver record the configuration can produce has a sink. */
class AlertSinksTest {
    static Stream<Arguments> eachReceiverGetsTheSinkOfItsType() {
        return Stream.of(
                arguments(new AlertmanagerReceiver("am", List.of("http://127.0.0.1:9093"), Duration.ofMinutes(1)), AlertmanagerSink.class),
                arguments(new PagerDutyReceiver("pd", Secret.of("test", "key"), "http://127.0.0.1:8080/v2/enqueue"), PagerDutySink.class),
                arguments(new EmailReceiver("mail", new EmailReceiver.Smtp("127.0.0.1", 2525, false, Optional.empty(), Optional.empty()),
                        "drpilot@example.com", List.of("ops@example.com")), EmailSink.class),
                arguments(new SnsReceiver("sns", "arn:aws:sns:eu-west-1:1:t", "eu-west-1", Optional.of("http://127.0.0.1:4566")), SnsSink.class),
                arguments(new CloudWatchReceiver("cw", "eu-west-1", Optional.of("http://127.0.0.1:4566"), "drpilot"), CloudWatchSink.class),
                arguments(new WebhookReceiver("hook", "http://127.0.0.1:8080/hook"), WebhookSink.class),
                arguments(new SlackReceiver("slack", Optional.of(Secret.of("test", "http://127.0.0.1:8080/services/T/B/x")), Optional.empty(),
                        Optional.empty(), "http://127.0.0.1:8080/api/chat.postMessage"), SlackSink.class),
                arguments(new TeamsReceiver("teams", Secret.of("test", "http://127.0.0.1:8080/workflows/x")), TeamsSink.class),
                arguments(new OpsgenieReceiver("genie", Secret.of("test", "key"), "http://127.0.0.1:8080", List.of()), OpsgenieSink.class),
                arguments(new LogReceiver("log"), LogSink.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void eachReceiverGetsTheSinkOfItsType(Receiver receiver, Class<? extends AlertSink> expected) {
        Optional<AlertSink> sink = AlertSinks.create(receiver, Duration.ofSeconds(1), Clock.systemUTC(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")), List::of);
        try (AlertSink built = sink.orElseThrow()) {
            assertThat(built).isInstanceOf(expected);
        }
    }

    @Test
    void theTableHasEveryReceiverType() {
        assertThat(eachReceiverGetsTheSinkOfItsType().<Class<?>>map(arguments -> arguments.get()[0].getClass()))
                .containsExactlyInAnyOrder(Receiver.class.getPermittedSubclasses());
    }
}
