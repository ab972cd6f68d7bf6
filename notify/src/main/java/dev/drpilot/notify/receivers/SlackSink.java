package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.config.SlackReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slack. An incoming webhook answers 200 "ok" or a 4xx naming the problem ({@code invalid_payload}, {@code no_service}):
 * the HTTP status decides. {@code chat.postMessage} answers 200 even when it refuses, with {@code "ok": false} and an
 * error code: {@code ratelimited} and Slack's own trouble are retried, anything else ({@code channel_not_found},
 * {@code not_in_channel}, {@code invalid_auth}) would fail again and is recorded. With the bot token, the FIRING message's
 * {@code ts} is kept per fingerprint so that the RESOLVED is posted in its thread (and to the channel); after a restart
 * it is a message of its own.
 */
final class SlackSink implements AlertSink {
    static final Set<String> RETRIABLE_ERRORS = Set.of("ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
            "request_timeout");
    private static final int MAX_THREADS_KEPT = 10_000;

    private final SlackReceiver receiver;
    private final JsonHttp http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> threads = new ConcurrentHashMap<>();

    SlackSink(SlackReceiver receiver, Duration httpTimeout) {
        this.receiver = receiver;
        this.http = new JsonHttp(httpTimeout);
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        ObjectNode message = SlackMessage.of(json, alert);
        if (receiver.webhookUrl().isPresent()) {
            http.post(URI.create(receiver.webhookUrl().get().reveal()), message.toString(), Map.of());
            return;
        }
        message.put("channel", receiver.channel().orElseThrow());
        String thread = alert.getStatus() == AlertStatus.RESOLVED ? threads.remove(alert.getFingerprint()) : null;
        if (thread != null) {
            message.put("thread_ts", thread);
            message.put("reply_broadcast", true);
        }
        String body = http.post(URI.create(receiver.apiUrl()), message.toString(),
                Map.of("Authorization", "Bearer " + receiver.token().orElseThrow().reveal(), "Content-Type", "application/json; charset=utf-8"));
        JsonNode answer;
        try {
            answer = json.readTree(body);
        } catch (IOException e) {
            throw DeliveryException.retriable("chat.postMessage answered 2xx with no JSON: " + SlackMessage.truncate(body, 200), e);
        }
        if (!answer.path("ok").asBoolean(false)) {
            String error = answer.path("error").asText("no error given");
            String reason = "chat.postMessage to " + receiver.channel().orElseThrow() + " refused: " + error;
            throw RETRIABLE_ERRORS.contains(error) ? DeliveryException.retriable(reason, 200) : DeliveryException.fatal(reason, 200);
        }
        if (alert.getStatus() == AlertStatus.FIRING && answer.hasNonNull("ts") && threads.size() < MAX_THREADS_KEPT) {
            threads.put(alert.getFingerprint(), answer.get("ts").asText());
        }
    }
}
