package dev.drpilot.config;

import java.util.Optional;

/** A PagerDuty service integration (Events API v2), by its routing key. */
public record PagerDutyReceiver(String name, Secret routingKey, String url) implements Receiver {
    static final String TYPE = "pagerduty";
    static final String EVENTS_API = "https://events.pagerduty.com/v2/enqueue";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        boolean keyWritten = item.has("routingKey");
        Optional<Secret> routingKey = item.secret("routingKey");
        String url = item.string("url", EVENTS_API);
        // A routing key that is written but unusable has its own problem already (unset variable, unreadable file).
        if (routingKey.isEmpty() && !keyWritten) {
            ReceiverChecks.missing(item, "routingKey", "a pagerduty receiver needs its integration's routing key (${ENV_VAR} or file:/path)");
        }
        ReceiverChecks.requireHttpUrl(item, item.child("url"), url);
        return routingKey.map(key -> new PagerDutyReceiver(name, key, url));
    }
}
