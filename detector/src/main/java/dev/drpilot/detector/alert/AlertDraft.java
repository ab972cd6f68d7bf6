package dev.drpilot.detector.alert;

import java.util.Map;

/**
 * What a rule says about one alert, before the lifecycle decides whether and how it is emitted.
 *
 * @param alertName  Prometheus-style name, e.g. {@code ReplicationLag}
 * @param identity   the identifying labels besides rule and alertname (component, cluster, node, ...): they make the fingerprint
 * @param incidentId the incident it belongs to, when any
 */
public record AlertDraft(String rule, String alertName, Map<String, String> identity, String summary, String description,
                         Double value, Double threshold, String unit, String incidentId) {

    public String fingerprint() {
        return Alerts.fingerprint(rule, identity);
    }

    public AlertDraft withText(String newSummary, String newDescription) {
        return new AlertDraft(rule, alertName, identity, newSummary, newDescription, value, threshold, unit, incidentId);
    }

    public AlertDraft withValue(Double newValue) {
        return new AlertDraft(rule, alertName, identity, summary, description, newValue, threshold, unit, incidentId);
    }
}
