package dev.drpilot.config;

import java.util.Optional;

/**
 * A Microsoft Teams channel through a Workflows webhook ("When a Teams webhook request is received"), which takes an
 * Adaptive Card. The URL carries its own signature: it is the credential, so it is a secret.
 */
public record TeamsReceiver(String name, Secret webhookUrl) implements Receiver {
    static final String TYPE = "teams";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        boolean written = item.has("webhookUrl");
        Optional<Secret> url = item.secret("webhookUrl");
        if (!written) {
            ReceiverChecks.missing(item, "webhookUrl", "a teams receiver needs its Workflows webhook URL (${ENV_VAR} or file:/path)");
        }
        url.filter(secret -> !ProbeBinder.isHttpUrl(secret.reveal()))
                .ifPresent(secret -> item.problems().add(item.child("webhookUrl"), "is not an http:// or https:// URL (value hidden: it is a secret)"));
        return url.map(secret -> new TeamsReceiver(name, secret));
    }
}
