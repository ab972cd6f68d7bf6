package dev.drpilot.notify.silence;

import dev.drpilot.events.Alert;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** An alert's labels as silences, maintenance windows and inhibition rules match them ({@code Matchers.LABELS}). */
public final class AlertLabels {
    private AlertLabels() {
    }

    public static Map<String, String> of(Alert alert) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("rule", alert.getRule());
        labels.put("severity", alert.getSeverity().name().toLowerCase(Locale.ROOT));
        labels.put("component", alert.getComponent());
        if (alert.getCluster() != null) {
            labels.put("cluster", alert.getCluster());
        }
        if (alert.getNode() != null) {
            labels.put("node", alert.getNode());
        }
        return labels;
    }
}
