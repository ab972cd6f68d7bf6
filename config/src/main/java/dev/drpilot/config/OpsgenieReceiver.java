package dev.drpilot.config;

import java.util.List;
import java.util.Optional;

/**
 * Opsgenie's Alert API v2: an alert created with alias = the drpilot fingerprint (so a re-delivery is folded into it) and
 * closed by that alias once resolved.
 *
 * @param url        the API's base: {@code https://api.opsgenie.com}, or {@code https://api.eu.opsgenie.com} for an
 *                   account in the EU region
 * @param responders teams notified (by name), besides the API integration's own team
 */
public record OpsgenieReceiver(String name, Secret apiKey, String url, List<String> responders) implements Receiver {
    static final String TYPE = "opsgenie";
    static final String API = "https://api.opsgenie.com";

    public OpsgenieReceiver {
        responders = List.copyOf(responders);
    }

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        boolean written = item.has("apiKey");
        Optional<Secret> apiKey = item.secret("apiKey");
        String url = item.string("url", API);
        List<String> responders = item.strings("responders");
        if (!written) {
            ReceiverChecks.missing(item, "apiKey", "an opsgenie receiver needs its API integration's key (${ENV_VAR} or file:/path)");
        }
        ReceiverChecks.requireHttpUrl(item, item.child("url"), url);
        return apiKey.map(key -> new OpsgenieReceiver(name, key, url.endsWith("/") ? url.substring(0, url.length() - 1) : url, responders));
    }
}
