package dev.drpilot.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each receiver type binds to its own record, with its defaults, and accepts only its own keys. */
class ReceiverTypesTest {
    private static final Map<String, String> ENV = Map.of("PD_KEY", "R0UT1NGKEY", "SMTP_PASSWORD", "smtp-pw");

    static Stream<Arguments> everyTypeWithItsDefaults() {
        return Stream.of(
                arguments("{name: am, type: alertmanager, urls: [\"http://am-0:9093\", \"http://am-1:9093\"]}",
                        new AlertmanagerReceiver("am", List.of("http://am-0:9093", "http://am-1:9093"), Duration.ofMinutes(1))),
                arguments("{name: am, type: alertmanager, urls: \"http://am:9093\", resendInterval: 5m}",
                        new AlertmanagerReceiver("am", List.of("http://am:9093"), Duration.ofMinutes(5))),
                arguments("{name: pd, type: pagerduty, routingKey: \"${PD_KEY}\"}",
                        new PagerDutyReceiver("pd", Secret.of("${PD_KEY}", "R0UT1NGKEY"), "https://events.pagerduty.com/v2/enqueue")),
                arguments("{name: pd, type: pagerduty, routingKey: \"${PD_KEY}\", url: \"http://pd.local/v2/enqueue\"}",
                        new PagerDutyReceiver("pd", Secret.of("${PD_KEY}", "R0UT1NGKEY"), "http://pd.local/v2/enqueue")),
                arguments("{name: mail, type: email, smtp: {host: smtp}, from: a@example.com, to: [b@example.com]}",
                        new EmailReceiver("mail", new EmailReceiver.Smtp("smtp", 587, true, Optional.empty(), Optional.empty()),
                                "a@example.com", List.of("b@example.com"))),
                arguments("{name: mail, type: email, smtp: {host: smtp, port: 25, startTls: false, username: u, password: \"${SMTP_PASSWORD}\"},"
                                + " from: a@example.com, to: [b@example.com, c@example.com]}",
                        new EmailReceiver("mail", new EmailReceiver.Smtp("smtp", 25, false, Optional.of("u"),
                                Optional.of(Secret.of("${SMTP_PASSWORD}", "smtp-pw"))), "a@example.com", List.of("b@example.com", "c@example.com"))),
                arguments("{name: sns, type: sns, topicArn: \"arn:aws:sns:eu-west-1:1:t\", region: eu-west-1}",
                        new SnsReceiver("sns", "arn:aws:sns:eu-west-1:1:t", "eu-west-1", Optional.empty())),
                arguments("{name: sns, type: sns, topicArn: \"arn:aws:sns:eu-west-1:1:t\", region: eu-west-1, endpoint: \"http://localhost:4566\"}",
                        new SnsReceiver("sns", "arn:aws:sns:eu-west-1:1:t", "eu-west-1", Optional.of("http://localhost:4566"))),
                arguments("{name: cw, type: cloudwatch, region: eu-west-1}",
                        new CloudWatchReceiver("cw", "eu-west-1", Optional.empty(), "drpilot")),
                arguments("{name: cw, type: cloudwatch, region: eu-west-1, namespace: dr, endpoint: \"http://localhost:4566\"}",
                        new CloudWatchReceiver("cw", "eu-west-1", Optional.of("http://localhost:4566"), "dr")),
                arguments("{name: hook, type: webhook, url: \"https://hooks.example.com/dr\"}",
                        new WebhookReceiver("hook", "https://hooks.example.com/dr")),
                arguments("{name: log, type: log}", new LogReceiver("log")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void everyTypeWithItsDefaults(String receiver, Receiver expected) {
        DrpilotConfig config = ConfigLoader.parse("receivers:\n  - " + receiver + "\n", "test.yaml", ENV::get);

        assertThat(config.receivers()).containsExactly(expected);
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                arguments("{name: log, type: log, url: \"http://a\"}", List.of("receivers[0].url: unknown key (known keys: name, type)")),
                arguments("{name: pd, type: pagerduty, routingKey: \"${PD_KEY}\", urls: [\"http://a\"]}",
                        List.of("receivers[0].urls: unknown key (did you mean \"url\"?)")),
                arguments("{name: hook, type: webhook, url: \"ftp://a\"}", List.of("receivers[0].url: \"ftp://a\" is not an http:// or https:// URL")),
                arguments("{name: am, type: alertmanager, urls: [\"http://a\", \"a:9093\"]}",
                        List.of("receivers[0].urls[1]: \"a:9093\" is not an http:// or https:// URL")),
                arguments("{name: pd, type: pagerduty, routingKey: \"${PD_KEY}\", url: \"pd\"}",
                        List.of("receivers[0].url: \"pd\" is not an http:// or https:// URL")),
                arguments("{name: pd, type: pagerduty, routingKey: \"${UNSET}\"}", List.of("receivers[0].routingKey: environment variable UNSET is not set")),
                arguments("{name: mail, type: email, smtp: {port: 25}, from: a@example.com, to: b@example.com}",
                        List.of("receivers[0].smtp.host: missing (required)")),
                arguments("{name: mail, type: email, smtp: {host: h, tls: true}, from: a@example.com, to: b@example.com}",
                        List.of("receivers[0].smtp.tls: unknown key (known keys: host, port, startTls, username, password)")),
                arguments("{name: mail, type: email, smtp: {host: h}, to: []}", List.of(
                        "receivers[0].from: missing: an email receiver needs a sender address",
                        "receivers[0].to: missing: an email receiver needs at least one recipient")),
                arguments("{name: sns, type: sns, region: eu-west-1}", List.of("receivers[0].topicArn: missing: an sns receiver needs the topic ARN")),
                arguments("{name: nameless}", List.of("receivers[0].type: missing (required)")),
                // An unknown type has no schema to check the other keys against: only the type is reported.
                arguments("{name: chat, type: slack, channel: \"#dr\"}",
                        List.of("receivers[0].webhookUrl: missing: a slack receiver needs webhookUrl (an incoming webhook) or token (a bot token"
                                + " with chat:write) and channel")),
                arguments("{name: chat, type: hipchat}",
                        List.of("receivers[0].type: \"hipchat\" is not one of alertmanager, pagerduty, email, sns, cloudwatch, webhook, slack,"
                                + " teams, opsgenie, log")),
                arguments("{type: log}", List.of("receivers[0].name: missing (required)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void problems(String receiver, List<String> expected) {
        assertThat(ConfigValidationTest.problemsOf("receivers:\n  - " + receiver + "\n")).containsExactlyInAnyOrderElementsOf(expected);
    }
}
