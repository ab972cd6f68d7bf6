package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * An alert as a Slack message (Block Kit, with {@code text} as the notification's fallback): a header with the state,
 * severity and rule, the summary and description, and one context line of where and since when. The same body serves an
 * incoming webhook and {@code chat.postMessage} (which adds the channel and, for a RESOLVED, the thread).
 */
final class SlackMessage {
    // Slack's limits: a header's text 150 characters, a section's 3000.
    static final int MAX_HEADER = 150;
    static final int MAX_SECTION = 3000;

    private SlackMessage() {
    }

    static ObjectNode of(ObjectMapper json, Alert alert) {
        boolean resolved = alert.getStatus() == AlertStatus.RESOLVED;
        String header = (resolved ? "✅ RESOLVED" : icon(alert) + " " + alert.getSeverity().name()) + " — " + alert.getRule()
                + " on " + AlertText.source(alert);
        ObjectNode message = json.createObjectNode();
        message.put("text", truncate(header + ": " + AlertText.summary(alert), MAX_SECTION));
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode title = blocks.addObject().put("type", "header");
        title.putObject("text").put("type", "plain_text").put("text", truncate(header, MAX_HEADER));
        StringBuilder body = new StringBuilder("*").append(escape(AlertText.summary(alert))).append('*');
        String description = alert.getAnnotations().get("description");
        if (description != null && !description.isBlank()) {
            body.append('\n').append(escape(description));
        }
        String value = AlertText.valueLine(alert);
        if (!value.isEmpty()) {
            body.append('\n').append(escape(value));
        }
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", truncate(body.toString(), MAX_SECTION));
        ArrayNode context = blocks.addObject().put("type", "context").putArray("elements");
        context.addObject().put("type", "mrkdwn").put("text", escape(contextLine(alert)));
        String runbook = alert.getAnnotations().get("runbook_url");
        if (runbook != null && !runbook.isBlank()) {
            context.addObject().put("type", "mrkdwn").put("text", "<" + runbook + "|runbook>");
        }
        return message;
    }

    private static String contextLine(Alert alert) {
        List<String> parts = new ArrayList<>();
        parts.add("component " + alert.getComponent());
        if (alert.getIncidentId() != null) {
            parts.add("incident " + alert.getIncidentId());
        }
        parts.add((alert.getStatus() == AlertStatus.RESOLVED ? "fired " : "firing since ") + alert.getStartsAt());
        if (alert.getStatus() == AlertStatus.RESOLVED && alert.getEndsAt() != null) {
            parts.add("resolved " + alert.getEndsAt());
        }
        parts.add("fingerprint " + alert.getFingerprint());
        return String.join(" · ", parts);
    }

    private static String icon(Alert alert) {
        return switch (alert.getSeverity()) {
            case CRITICAL -> "🔴";
            case WARNING -> "🟠";
            default -> "🔵";
        };
    }

    /** Slack's mrkdwn treats &, < and > as markup: they are escaped, as Slack asks. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
