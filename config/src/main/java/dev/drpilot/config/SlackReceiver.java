package dev.drpilot.config;

import java.util.Optional;

/**
 * A Slack channel, through an incoming webhook ({@code webhookUrl}: the URL is the credential) or through the Web API's
 * {@code chat.postMessage} with a bot token ({@code token}, scope {@code chat:write}, and {@code channel}); with the bot
 * token a RESOLVED is posted as a reply in the FIRING message's thread (and to the channel), as long as the actuator
 * still knows the thread.
 *
 * @param apiUrl chat.postMessage's URL (a proxy, a test server); unused with a webhook
 */
public record SlackReceiver(String name, Optional<Secret> webhookUrl, Optional<Secret> token, Optional<String> channel, String apiUrl)
        implements Receiver {
    static final String TYPE = "slack";
    static final String POST_MESSAGE = "https://slack.com/api/chat.postMessage";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        boolean webhookWritten = item.has("webhookUrl");
        boolean tokenWritten = item.has("token");
        Optional<Secret> webhook = item.secret("webhookUrl");
        Optional<Secret> token = item.secret("token");
        Optional<String> channel = item.optionalString("channel");
        String apiUrl = item.string("url", POST_MESSAGE);
        ReceiverChecks.requireHttpUrl(item, item.child("url"), apiUrl);
        if (webhookWritten == tokenWritten) {
            item.problems().add(item.child(webhookWritten ? "token" : "webhookUrl"), webhookWritten
                    ? "give webhookUrl or token, not both"
                    : "missing: a slack receiver needs webhookUrl (an incoming webhook) or token (a bot token with chat:write) and channel");
            return Optional.empty();
        }
        if (tokenWritten && channel.isEmpty()) {
            ReceiverChecks.missing(item, "channel", "chat.postMessage with a bot token needs the channel's id (C0123456789) or #name");
            return Optional.empty();
        }
        if (webhookWritten && channel.isPresent()) {
            item.problems().add(item.child("channel"), "an incoming webhook posts to the channel it was made for: leave channel out");
            return Optional.empty();
        }
        webhook.filter(url -> !ProbeBinder.isHttpUrl(url.reveal()))
                .ifPresent(url -> item.problems().add(item.child("webhookUrl"), "is not an http:// or https:// URL (value hidden: it is a secret)"));
        if (webhook.isEmpty() && token.isEmpty()) {
            return Optional.empty();   // written but unusable: the secret's own problem is recorded
        }
        return Optional.of(new SlackReceiver(name, webhook, token, channel, apiUrl));
    }
}
