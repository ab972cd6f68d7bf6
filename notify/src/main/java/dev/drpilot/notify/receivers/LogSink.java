package dev.drpilot.notify.receivers;

import dev.drpilot.config.LogReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes alerts to drpilot's own log (logger {@code drpilot.alerts}), for grep and log shippers. */
final class LogSink implements AlertSink {
    private static final Logger alerts = LoggerFactory.getLogger("drpilot.alerts");

    private final String receiver;

    LogSink(LogReceiver receiver) {
        this.receiver = receiver.name();
    }

    @Override
    public void deliver(Alert alert) {
        alerts.warn("[receiver={} fingerprint={}] {} {} {}: {} (value {} threshold {} {}, since {})", receiver, alert.getFingerprint(),
                alert.getStatus(), alert.getSeverity(), alert.getRule(), alert.getAnnotations().getOrDefault("summary", ""),
                alert.getValue(), alert.getThreshold(), alert.getUnit() == null ? "" : alert.getUnit(), alert.getStartsAt());
    }
}
