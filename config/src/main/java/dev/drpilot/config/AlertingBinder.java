package dev.drpilot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Binds where alerts go: receivers, and the routes that choose among them. */
final class AlertingBinder {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final String PAGERDUTY_EVENTS = "https://events.pagerduty.com/v2/enqueue";

    private final Section top;

    AlertingBinder(Section top) {
        this.top = top;
    }

    List<Receiver> receivers() {
        List<Receiver> receivers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Section item : top.list("receivers")) {
            String name = item.required("name");
            Receiver.Type type = item.enumValue("type", Receiver.Type.class, null);
            // Type-specific defaults: Prometheus' resend interval, PagerDuty's public endpoint, our metric namespace.
            Optional<Duration> resendInterval = item.optionalDuration("resendInterval")
                    .or(() -> type == Receiver.Type.ALERTMANAGER ? Optional.of(Duration.ofMinutes(1)) : Optional.empty());
            Optional<String> url = item.optionalString("url")
                    .or(() -> type == Receiver.Type.PAGERDUTY ? Optional.of(PAGERDUTY_EVENTS) : Optional.empty());
            Optional<String> namespace = item.optionalString("namespace")
                    .or(() -> type == Receiver.Type.CLOUDWATCH ? Optional.of("drpilot") : Optional.empty());
            Receiver receiver = new Receiver(name, type == null ? Receiver.Type.LOG : type,
                    item.strings("urls"), resendInterval, item.secret("routingKey"), url, smtp(item),
                    item.optionalString("from"), item.strings("to"), item.optionalString("topicArn"),
                    item.optionalString("region"), item.optionalString("endpoint"), namespace);
            item.finish();
            item.requireUniqueName(names, name, "receiver");
            if (type != null) {
                new ReceiverChecks(item, receiver).run();
            }
            receivers.add(receiver);
        }
        return receivers;
    }

    private static Optional<Receiver.Smtp> smtp(Section item) {
        if (!item.has("smtp")) {
            return Optional.empty();
        }
        Section smtp = item.section("smtp");
        Receiver.Smtp settings = new Receiver.Smtp(smtp.required("host"), smtp.integer("port", 587, 1, 65535),
                smtp.bool("startTls", true), smtp.optionalString("username"), smtp.secret("password"));
        smtp.finish();
        return Optional.of(settings);
    }

    /** What each receiver type needs. */
    private record ReceiverChecks(Section item, Receiver receiver) {
        void run() {
            switch (receiver.type()) {
                case ALERTMANAGER -> {
                    if (receiver.urls().isEmpty()) {
                        missing("urls", "an alertmanager receiver needs the URL of every Alertmanager (they are not load-balanced)");
                    }
                    for (int i = 0; i < receiver.urls().size(); i++) {
                        if (!ProbeBinder.isHttpUrl(receiver.urls().get(i))) {
                            item.problems().add(item.child("urls") + "[" + i + "]", "\"" + receiver.urls().get(i) + "\" is not an http:// or https:// URL");
                        }
                    }
                }
                case PAGERDUTY -> {
                    if (receiver.routingKey().isEmpty() && !item.has("routingKey")) {
                        missing("routingKey", "a pagerduty receiver needs its integration's routing key (${ENV_VAR} or file:/path)");
                    }
                    receiver.url().filter(url -> !ProbeBinder.isHttpUrl(url))
                            .ifPresent(url -> item.problems().add(item.child("url"), "\"" + url + "\" is not an http:// or https:// URL"));
                }
                case EMAIL -> {
                    if (receiver.smtp().isEmpty()) {
                        missing("smtp", "an email receiver needs smtp.host");
                    }
                    if (receiver.from().isEmpty()) {
                        missing("from", "an email receiver needs a sender address");
                    }
                    receiver.from().filter(from -> !EMAIL.matcher(from).matches())
                            .ifPresent(from -> item.problems().add(item.child("from"), "\"" + from + "\" is not an email address"));
                    if (receiver.to().isEmpty()) {
                        missing("to", "an email receiver needs at least one recipient");
                    }
                    for (int i = 0; i < receiver.to().size(); i++) {
                        if (!EMAIL.matcher(receiver.to().get(i)).matches()) {
                            item.problems().add(item.child("to") + "[" + i + "]", "\"" + receiver.to().get(i) + "\" is not an email address");
                        }
                    }
                }
                case SNS -> {
                    if (receiver.topicArn().isEmpty()) {
                        missing("topicArn", "an sns receiver needs the topic ARN");
                    } else if (!receiver.topicArn().get().startsWith("arn:")) {
                        item.problems().add(item.child("topicArn"), "\"" + receiver.topicArn().get() + "\" is not an ARN (arn:aws:sns:region:account:topic)");
                    }
                    if (receiver.region().isEmpty()) {
                        missing("region", "an sns receiver needs the AWS region");
                    }
                }
                case CLOUDWATCH -> {
                    if (receiver.region().isEmpty()) {
                        missing("region", "a cloudwatch receiver needs the AWS region");
                    }
                }
                case WEBHOOK -> {
                    if (receiver.url().isEmpty()) {
                        missing("url", "a webhook receiver needs a url");
                    } else if (!ProbeBinder.isHttpUrl(receiver.url().get())) {
                        item.problems().add(item.child("url"), "\"" + receiver.url().get() + "\" is not an http:// or https:// URL");
                    }
                }
                case LOG -> {
                    // Writes alerts to drpilot's own log: nothing to configure.
                }
            }
        }

        private void missing(String key, String why) {
            item.problems().add(item.child(key), "missing: " + why);
        }
    }

    List<Route> routes(List<Receiver> receivers) {
        if (!top.has("routes")) {
            return DefaultRoutes.of(receivers);
        }
        Set<String> receiverNames = new HashSet<>();
        receivers.forEach(receiver -> receiverNames.add(receiver.name()));
        List<Route> routes = new ArrayList<>();
        for (Section item : top.list("routes")) {
            Section match = item.section("match");
            Set<String> severity = new LinkedHashSet<>();
            for (String value : match.strings("severity")) {
                String lower = value.toLowerCase(Locale.ROOT);
                if (!SEVERITIES.contains(lower)) {
                    item.problems().add(match.child("severity"), "\"" + value + "\" is not one of info, warning, critical");
                }
                severity.add(lower);
            }
            List<String> rules = match.strings("rule");
            for (String rule : rules) {
                if (!ConfigLoader.RULES.contains(rule)) {
                    item.problems().add(match.child("rule"), "no rule named \"" + rule + "\" (rules: " + String.join(", ", ConfigLoader.RULES) + ")");
                }
            }
            Route.Match criteria = new Route.Match(severity, new LinkedHashSet<>(rules),
                    new LinkedHashSet<>(match.strings("component")), match.stringMap("labels"));
            match.finish();
            List<String> targets = item.strings("receivers");
            if (targets.isEmpty()) {
                item.problems().add(item.child("receivers"), "a route names at least one receiver");
            }
            for (int i = 0; i < targets.size(); i++) {
                if (!receiverNames.contains(targets.get(i))) {
                    item.problems().add(item.child("receivers") + "[" + i + "]", "no receiver named \"" + targets.get(i) + "\""
                            + (receiverNames.isEmpty() ? " (no receivers are configured)" : " (receivers: " + String.join(", ", receiverNames) + ")"));
                }
            }
            boolean continueMatching = item.bool("continue", false);
            item.finish();
            routes.add(new Route(criteria, targets, continueMatching));
        }
        return routes;
    }
}
