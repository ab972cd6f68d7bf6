package dev.drpilot.config;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import java.util.List;
import java.util.Optional;

/**
 * An HTTP endpoint that takes Alertmanager's webhook format.
 *
 * @param http how it is authenticated to and spoken TLS with (basicAuth, bearerToken, tls)
 */
public record WebhookReceiver(String name, String url, @JsonUnwrapped HttpClientSettings http) implements Receiver {
    static final String TYPE = "webhook";

    /** Without authentication or TLS options. */
    public WebhookReceiver(String name, String url) {
        this(name, url, HttpClientSettings.NONE);
    }

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
        HttpClientSettings http = HttpClientSettings.bind(item, url.map(List::of).orElse(List.of()));
        return url.map(endpoint -> new WebhookReceiver(name, endpoint, http));
    }
}
