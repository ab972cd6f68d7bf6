package dev.drpilot.notify.delivery;

import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a firing alert from paging again every time the detector re-emits it: an identical
 * FIRING (same fingerprint, start and severity) within the re-notify interval of the last one
 * sent is not sent again. A changed severity or start, an expired interval and every RESOLVED go
 * through. One per receiver, used by its worker's lanes: one fingerprint is only ever handled by one lane at a time.
 */
public final class RenotifyFilter {
    private final Duration interval;
    private final Map<String, Sent> lastSent = new ConcurrentHashMap<>();

    private record Sent(Instant startsAt, Severity severity, Instant sentAt) {
    }

    public RenotifyFilter(Duration interval) {
        this.interval = interval;
    }

    public boolean shouldSend(Alert alert, Instant now) {
        if (alert.getStatus() != AlertStatus.FIRING) {
            return true;
        }
        Sent last = lastSent.get(alert.getFingerprint());
        return last == null
                || !last.startsAt().equals(alert.getStartsAt())
                || last.severity() != alert.getSeverity()
                || Duration.between(last.sentAt(), now).compareTo(interval) >= 0;
    }

    /** True when a FIRING of this alert was sent and no RESOLVED since: the receiver has a page open for it. */
    public boolean wasSent(String fingerprint) {
        return lastSent.containsKey(fingerprint);
    }

    public void sent(Alert alert, Instant now) {
        if (alert.getStatus() == AlertStatus.FIRING) {
            lastSent.put(alert.getFingerprint(), new Sent(alert.getStartsAt(), alert.getSeverity(), now));
        } else {
            // Resolved: the next FIRING of this fingerprint is a new notification.
            lastSent.remove(alert.getFingerprint());
        }
    }
}
