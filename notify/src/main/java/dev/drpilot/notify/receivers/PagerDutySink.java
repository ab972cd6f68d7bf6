package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.config.PagerDutyReceiver;
import dev.drpilot.config.Secret;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * PagerDuty Events API v2. The dedup key is the alert's fingerprint, so PagerDuty folds a
 * re-delivered trigger into the open incident and a resolve closes it. 202 is success; 429 and
 * 5xx are retried by the worker; 400 means the event is invalid and is recorded, not retried.
 */
final class PagerDutySink implements AlertSink {
    private final URI endpoint;
    private final Secret routingKey;
    private final JsonHttp http;
    private final ObjectMapper json = new ObjectMapper();

    PagerDutySink(PagerDutyReceiver receiver, Duration httpTimeout) {
        this.endpoint = URI.create(receiver.url());
        this.routingKey = receiver.routingKey();
        this.http = new JsonHttp(httpTimeout);
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        http.post(endpoint, PagerDutyEvent.of(json, alert, routingKey.reveal()).toString(), Map.of());
    }
}
