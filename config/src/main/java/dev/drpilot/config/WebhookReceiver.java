package dev.drpilot.config;

import java.util.Optional;

/** An HTTP endpoint that takes Alertmanager's webhook format. */
public record WebhookReceiver(String name, String url) implements Receiver {
    static final String TYPE = "webhook";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        Optional<String> url = item.optionalString("url");
        if (url.isEmpty()) {
            ReceiverChecks.missing(item, "url", "a webhook receiver needs a url");
        } else {
            ReceiverChecks.requireHttpUrl(item, item.child("url"), url.get());
        }
        return url.map(endpoint -> new WebhookReceiver(name, endpoint));
    }
}
