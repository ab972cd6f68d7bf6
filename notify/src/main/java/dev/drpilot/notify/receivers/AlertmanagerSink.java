package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.drpilot.config.AlertmanagerReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends alerts to every Alertmanager of a receiver (an HA pair gets each alert twice, on purpose:
 * they de-duplicate among themselves; they are never load-balanced) and behaves as Prometheus
 * does towards them: a firing alert is re-sent every resend interval with {@code endsAt} four
 * intervals ahead, so Alertmanager resolves it by itself should drpilot go away; a resolved alert
 * is sent with {@code endsAt} = when it resolved and re-sent for 15 minutes, so an Alertmanager
 * that missed it (restarted, partitioned) still learns it resolved.
 *
 * <p>A delivery succeeds when at least one Alertmanager accepted it: the others get it with the
 * next resend, and one instance being down must not hold back the whole receiver.
 */
final class AlertmanagerSink implements AlertSink {
    private static final Logger log = LoggerFactory.getLogger(AlertmanagerSink.class);
    static final Duration RESOLVED_RESEND_FOR = Duration.ofMinutes(15);

    private final String receiver;
    private final List<URI> endpoints;
    private final Duration resendInterval;
    private final JsonHttp http;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final Object sending = new Object();
    private final Map<String, Tracked> tracked = new LinkedHashMap<>();
    private final ScheduledExecutorService resender;
    private final Supplier<List<Alert>> firingHere;

    /** An alert being kept alive (firing) or being repeated as resolved until {@code resendUntil}. */
    private record Tracked(Alert alert, Instant resolvedAt, Instant resendUntil) {
    }

    AlertmanagerSink(AlertmanagerReceiver receiver, Duration httpTimeout, Clock clock, Supplier<List<Alert>> firingHere) {
        this.receiver = receiver.name();
        this.endpoints = receiver.urls().stream().map(AlertmanagerSink::alertsEndpoint).toList();
        this.resendInterval = receiver.resendInterval();
        this.http = new JsonHttp(httpTimeout, receiver.http());
        this.clock = clock;
        this.firingHere = firingHere;
        this.resender = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "drpilot-alertmanager-resend-" + receiver.name());
            thread.setDaemon(true);
            return thread;
        });
        long period = resendInterval.toMillis();
        resender.scheduleAtFixedRate(this::resend, period, period, TimeUnit.MILLISECONDS);
    }

    static URI alertsEndpoint(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return URI.create(base + "/api/v2/alerts");
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        // One lock for sends and resends: a resend of the FIRING state must never overtake the RESOLVED.
        synchronized (sending) {
            Instant now = clock.instant();
            Tracked state = alert.getStatus() == AlertStatus.RESOLVED
                    ? new Tracked(alert, alert.getEndsAt() != null ? alert.getEndsAt() : now, now.plus(RESOLVED_RESEND_FOR))
                    : new Tracked(alert, null, null);
            ArrayNode body = json.createArrayNode().add(AlertmanagerPayload.of(json, alert, endsAt(state, now)));
            postToEvery(body, true);
            tracked.put(alert.getFingerprint(), state);
        }
    }

    private Instant endsAt(Tracked state, Instant now) {
        return state.resolvedAt() != null ? state.resolvedAt() : AlertmanagerPayload.firingEndsAt(now, resendInterval);
    }

    void resend() {
        // An exception escaping a scheduled task would cancel every later resend.
        try {
            resendTracked();
        } catch (RuntimeException e) {
            log.error("[receiver={}] resend failed: {}", receiver, e.toString(), e);
        }
    }

    private void resendTracked() {
        synchronized (sending) {
            Instant now = clock.instant();
            ArrayNode body = json.createArrayNode();
            for (Iterator<Tracked> it = tracked.values().iterator(); it.hasNext(); ) {
                Tracked state = it.next();
                if (state.resolvedAt() != null && !now.isBefore(state.resendUntil())) {
                    it.remove();
                } else {
                    body.add(AlertmanagerPayload.of(json, state.alert(), endsAt(state, now)));
                }
            }
            // Alerts firing since before a restart were delivered by the previous run and will not
            // be read again; without resends Alertmanager would resolve them after 4 intervals.
            for (Alert alert : firingHere.get()) {
                if (!tracked.containsKey(alert.getFingerprint())) {
                    body.add(AlertmanagerPayload.of(json, alert, AlertmanagerPayload.firingEndsAt(now, resendInterval)));
                }
            }
            if (body.isEmpty()) {
                return;
            }
            try {
                postToEvery(body, false);
                log.debug("[receiver={}] re-sent {} alert(s)", receiver, body.size());
            } catch (DeliveryException | RuntimeException e) {
                // The next resend tries again; a resend is a refresh, not a delivery of its own.
                log.warn("[receiver={}] resend of {} alert(s) failed: {}", receiver, body.size(), e.getMessage());
            }
        }
    }

    /** Sends to every Alertmanager; succeeds when one accepted it, fails retriably if any failure might pass. */
    private void postToEvery(ArrayNode body, boolean isDelivery) throws DeliveryException {
        String payload = body.toString();
        List<DeliveryException> failures = new ArrayList<>();
        for (URI endpoint : endpoints) {
            try {
                http.post(endpoint, payload, Map.of());
            } catch (DeliveryException e) {
                failures.add(e);
                if (isDelivery && failures.size() < endpoints.size()) {
                    log.warn("[receiver={}] {} did not take the alert ({}); the next resend tries it again", receiver, endpoint, e.getMessage());
                }
            }
        }
        if (failures.size() < endpoints.size()) {
            return;
        }
        String reasons = String.join("; ", failures.stream().map(DeliveryException::getMessage).toList());
        boolean anyRetriable = failures.stream().anyMatch(DeliveryException::retriable);
        int status = failures.get(0).httpStatus();
        throw anyRetriable ? DeliveryException.retriable("no Alertmanager accepted the alert: " + reasons, status)
                : DeliveryException.fatal("every Alertmanager rejected the alert: " + reasons, status);
    }

    @Override
    public void close() {
        resender.shutdownNow();
    }
}
