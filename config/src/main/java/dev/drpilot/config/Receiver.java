package dev.drpilot.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Somewhere alerts are delivered. Fields apply by type: alertmanager {@code urls},
 * {@code resendInterval}; pagerduty {@code routingKey}, {@code url}; email {@code smtp},
 * {@code from}, {@code to}; sns {@code topicArn}, {@code region}, {@code endpoint}; cloudwatch
 * {@code namespace}, {@code region}, {@code endpoint}; webhook {@code url}; log: nothing.
 */
public record Receiver(
        String name,
        Type type,
        List<String> urls,
        Optional<Duration> resendInterval,
        Optional<Secret> routingKey,
        Optional<String> url,
        Optional<Smtp> smtp,
        Optional<String> from,
        List<String> to,
        Optional<String> topicArn,
        Optional<String> region,
        Optional<String> endpoint,
        Optional<String> namespace) {

    public Receiver {
        urls = List.copyOf(urls);
        to = List.copyOf(to);
    }

    public enum Type { ALERTMANAGER, PAGERDUTY, EMAIL, SNS, CLOUDWATCH, WEBHOOK, LOG }

    public record Smtp(String host, int port, boolean startTls, Optional<String> username, Optional<Secret> password) {
    }
}
