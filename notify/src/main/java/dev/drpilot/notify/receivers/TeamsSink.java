package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.config.TeamsReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Microsoft Teams through a Workflows webhook: 202 accepted; 429 and 5xx retried; 400 (a card it cannot take) recorded. */
final class TeamsSink implements AlertSink {
    private final TeamsReceiver receiver;
    private final JsonHttp http;
    private final ObjectMapper json = new ObjectMapper();

    TeamsSink(TeamsReceiver receiver, Duration httpTimeout) {
        this.receiver = receiver;
        this.http = new JsonHttp(httpTimeout);
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        http.post(URI.create(receiver.webhookUrl().reveal()), TeamsCard.of(json, alert).toString(), Map.of());
    }
}
