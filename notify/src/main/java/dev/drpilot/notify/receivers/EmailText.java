package dev.drpilot.notify.receivers;

import dev.drpilot.events.Alert;

import java.util.LinkedHashMap;
import java.util.Map;

/** Subject and bodies of an alert email. */
final class EmailText {
    private EmailText() {
    }

    static String subject(Alert alert) {
        return "[" + AlertText.status(alert) + ":" + alert.getSeverity() + "] " + alert.getComponent() + ": " + AlertText.summary(alert);
    }

    static Map<String, String> facts(Alert alert) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Status", AlertText.status(alert));
        facts.put("Severity", AlertText.severity(alert));
        facts.put("Component", alert.getComponent());
        if (alert.getCluster() != null) {
            facts.put("Cluster", alert.getCluster());
        }
        if (alert.getNode() != null) {
            facts.put("Node", alert.getNode());
        }
        facts.put("Rule", alert.getRule());
        if (alert.getValue() != null) {
            facts.put("Value", AlertText.number(alert.getValue()) + AlertText.unitSuffix(alert));
        }
        if (alert.getThreshold() != null) {
            facts.put("Threshold", AlertText.number(alert.getThreshold()) + AlertText.unitSuffix(alert));
        }
        facts.put("Since", alert.getStartsAt().toString());
        if (alert.getEndsAt() != null) {
            facts.put("Resolved at", alert.getEndsAt().toString());
        }
        if (alert.getIncidentId() != null) {
            facts.put("Incident", alert.getIncidentId());
        }
        return facts;
    }

    static String plain(Alert alert) {
        StringBuilder text = new StringBuilder(AlertText.summary(alert)).append("\n\n");
        String description = alert.getAnnotations().get("description");
        if (description != null && !description.isBlank()) {
            text.append(description).append("\n\n");
        }
        facts(alert).forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        String runbook = alert.getAnnotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            text.append("Runbook: ").append(runbook).append('\n');
        }
        text.append("Fingerprint: ").append(alert.getFingerprint()).append('\n');
        return text.toString();
    }

    static String html(Alert alert) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>");
        html.append("<h2>").append(escape(AlertText.summary(alert))).append("</h2>");
        String description = alert.getAnnotations().get("description");
        if (description != null && !description.isBlank()) {
            html.append("<p>").append(escape(description)).append("</p>");
        }
        html.append("<table>");
        facts(alert).forEach((name, value) -> html.append("<tr><th align=\"left\">").append(escape(name)).append("</th><td>")
                .append(escape(value)).append("</td></tr>"));
        html.append("</table>");
        String runbook = alert.getAnnotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            html.append("<p><a href=\"").append(escape(runbook)).append("\">Runbook</a></p>");
        }
        html.append("<p><small>").append(escape(alert.getFingerprint())).append("</small></p></body></html>");
        return html.toString();
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
