package dev.drpilot.config;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every Alertmanager of an HA pair or cluster (each gets every alert; they are never load-balanced).
 *
 * @param http how every one of them is authenticated to and spoken TLS with (basicAuth, bearerToken, tls)
 */
public record AlertmanagerReceiver(String name, List<String> urls, Duration resendInterval, @JsonUnwrapped HttpClientSettings http)
        implements Receiver {
    static final String TYPE = "alertmanager";
    /** Prometheus' default. */
    static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofMinutes(1);

    public AlertmanagerReceiver {
        urls = List.copyOf(urls);
    }

    /** Without authentication or TLS options. */
    public AlertmanagerReceiver(String name, List<String> urls, Duration resendInterval) {
        this(name, urls, resendInterval, HttpClientSettings.NONE);
    }

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        List<String> urls = item.strings("urls");
        Duration resendInterval = item.optionalDuration("resendInterval").orElse(DEFAULT_RESEND_INTERVAL);
        if (urls.isEmpty()) {
            ReceiverChecks.missing(item, "urls", "an alertmanager receiver needs the URL of every Alertmanager (they are not load-balanced)");
        }
        for (int i = 0; i < urls.size(); i++) {
            ReceiverChecks.requireHttpUrl(item, item.child("urls") + "[" + i + "]", urls.get(i));
        }
        HttpClientSettings http = HttpClientSettings.bind(item, urls);
        return Optional.of(new AlertmanagerReceiver(name, urls, resendInterval, http));
    }
}
