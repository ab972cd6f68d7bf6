package dev.drpilot.notify.receivers;

import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;

import java.math.BigDecimal;
import java.util.Locale;

/** The words and numbers every human-facing receiver shows for an alert. */
final class AlertText {
    private AlertText() {
    }

    static String summary(Alert alert) {
        String summary = alert.getAnnotations().get("summary");
        return summary == null || summary.isBlank() ? alert.getRule() + " on " + alert.getComponent() : summary;
    }

    static String status(Alert alert) {
        return alert.getStatus() == AlertStatus.RESOLVED ? "RESOLVED" : "FIRING";
    }

    /** e.g. {@code value 95 seconds, threshold 60 seconds}; empty without a value. */
    static String valueLine(Alert alert) {
        if (alert.getValue() == null) {
            return "";
        }
        String line = "value " + number(alert.getValue()) + unitSuffix(alert);
        if (alert.getThreshold() != null) {
            line += ", threshold " + number(alert.getThreshold()) + unitSuffix(alert);
        }
        return line;
    }

    static String unitSuffix(Alert alert) {
        return alert.getUnit() == null || alert.getUnit().isBlank() ? "" : " " + alert.getUnit();
    }

    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** The place the alert is about: node, else cluster, else component. */
    static String source(Alert alert) {
        if (alert.getNode() != null) {
            return alert.getCluster() == null ? alert.getNode() : alert.getCluster() + "/" + alert.getNode();
        }
        return alert.getCluster() != null ? alert.getCluster() : alert.getComponent();
    }

    static String severity(Alert alert) {
        return alert.getSeverity().name().toLowerCase(Locale.ROOT);
    }
}
