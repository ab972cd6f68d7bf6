package dev.drpilot.notify.delivery;

import dev.drpilot.events.Alert;

/**
 * What makes two alert records the same notification: the fingerprint, the status and when the
 * condition began. A record delivered twice (at-least-once) carries the same key, so a receiver
 * that de-duplicates on it sees one notification.
 */
public final class IdempotencyKey {
    private IdempotencyKey() {
    }

    public static String of(Alert alert) {
        return alert.getFingerprint() + "|" + alert.getStatus() + "|" + alert.getStartsAt().toEpochMilli();
    }
}
