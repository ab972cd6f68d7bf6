package dev.drpilot.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every Alertmanager of an HA pair or cluster (each gets every alert; they are never load-balanced). */
public record AlertmanagerReceiver(String name, List<String> urls, Duration resendInterval) implements Receiver {
    static final String TYPE = "alertmanager";
    /** Prometheus' default. */
    static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofMinutes(1);

    public AlertmanagerReceiver {
        urls = List.copyOf(urls);
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
        return Optional.of(new AlertmanagerReceiver(name, urls, resendInterval));
    }
}
