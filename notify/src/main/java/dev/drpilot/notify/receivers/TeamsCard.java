package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;

/**
 * An alert as the message a Teams Workflows webhook posts: one Adaptive Card (schema 1.4, what Teams renders) with the
 * state as a coloured title, the summary, the description and a fact set (where, component, incident, since, value).
 */
final class TeamsCard {
    private TeamsCard() {
    }

    static ObjectNode of(ObjectMapper json, Alert alert) {
        boolean resolved = alert.getStatus() == AlertStatus.RESOLVED;
        ObjectNode message = json.createObjectNode().put("type", "message");
        ObjectNode attachment = message.putArray("attachments").addObject()
                .put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.putNull("contentUrl");
        ObjectNode card = attachment.putObject("content")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("type", "AdaptiveCard").put("version", "1.4");
        ArrayNode body = card.putArray("body");
        body.addObject().put("type", "TextBlock").put("size", "Large").put("weight", "Bolder").put("wrap", true)
                .put("color", resolved ? "Good" : switch (alert.getSeverity()) {
                    case CRITICAL -> "Attention";
                    case WARNING -> "Warning";
                    default -> "Accent";
                })
                .put("text", (resolved ? "RESOLVED" : alert.getSeverity().name()) + ": " + alert.getRule() + " on " + AlertText.source(alert));
        body.addObject().put("type", "TextBlock").put("wrap", true).put("weight", "Bolder").put("text", AlertText.summary(alert));
        String description = alert.getAnnotations().get("description");
        if (description != null && !description.isBlank()) {
            body.addObject().put("type", "TextBlock").put("wrap", true).put("text", description);
        }
        ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
        fact(facts, "Component", alert.getComponent());
        if (alert.getCluster() != null) {
            fact(facts, "Cluster", alert.getCluster());
        }
        if (alert.getNode() != null) {
            fact(facts, "Node", alert.getNode());
        }
        if (alert.getIncidentId() != null) {
            fact(facts, "Incident", alert.getIncidentId());
        }
        fact(facts, resolved ? "Fired" : "Firing since", alert.getStartsAt().toString());
        if (resolved && alert.getEndsAt() != null) {
            fact(facts, "Resolved", alert.getEndsAt().toString());
        }
        String value = AlertText.valueLine(alert);
        if (!value.isEmpty()) {
            fact(facts, "Value", value);
        }
        fact(facts, "Fingerprint", alert.getFingerprint());
        String runbook = alert.getAnnotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "Runbook").put("url", runbook);
        }
        return message;
    }

    private static void fact(ArrayNode facts, String title, String value) {
        facts.addObject().put("title", title).put("value", value);
    }
}
