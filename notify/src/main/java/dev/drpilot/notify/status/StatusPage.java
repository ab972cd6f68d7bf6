package dev.drpilot.notify.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.drpilot.notify.status.Html.escape;

/**
 * The status page as the server renders it from a snapshot, so that it shows the figures before
 * (and without) JavaScript. {@code status.js} re-renders the same sections from {@code /api/status}
 * with the same element ids and classes: a change to one is a change to the other.
 */
public final class StatusPage {
    private static final String NONE = "—";

    private StatusPage() {
    }

    public static String render(StatusSnapshot snapshot) {
        return render(snapshot, "");
    }

    /** @param extraSections sections rendered elsewhere (the drills'), placed after the failovers */
    public static String render(StatusSnapshot snapshot, String extraSections) {
        StringBuilder html = new StringBuilder(8192);
        html.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>drpilot status</title>
                <link rel="stylesheet" href="status/status.css">
                </head>
                <body>
                <header>
                <h1>drpilot status</h1>
                <div class="meta"><span id="connection" class="connection live">live</span>
                 last updated <span id="updated">""").append(escape(snapshot.generatedText())).append("""
                </span></div>
                </header>
                <main>
                <section>
                <h2>Components</h2>
                <table id="components">
                <thead><tr><th>Component</th><th>State</th><th>RTO target</th><th>RPO target</th><th>Replication lag</th>\
                <th>Recovery point age</th><th>Last good backup</th><th>Last failed backup</th></tr></thead>
                <tbody>""");
        if (snapshot.components().isEmpty()) {
            empty(html, 8, "no components configured");
        }
        snapshot.components().forEach(row -> component(html, row));
        html.append("</tbody>\n</table>\n</section>");
        TopologySection.render(html, snapshot.topology());
        html.append("\n<section>\n<h2>Open alerts <span id=\"alert-count\" class=\"count\">")
                .append(snapshot.alerts().size()).append("</span></h2>\n<table id=\"alerts\">\n")
                .append("<thead><tr><th>Severity</th><th>Rule</th><th>Component</th><th>Summary</th><th>Since</th><th>Runbook</th></tr></thead>\n<tbody>");
        if (snapshot.alerts().isEmpty()) {
            empty(html, 6, "no open alerts");
        }
        snapshot.alerts().forEach(alert -> alert(html, alert));
        html.append("</tbody>\n</table>\n</section>\n<section>\n<h2>Failovers</h2>\n<div id=\"failovers\">");
        if (snapshot.failovers().isEmpty()) {
            html.append("<p class=\"empty\">no failovers in the past ").append(StatusBoard.FAILOVER_LOOKBACK.toDays()).append(" days</p>");
        }
        snapshot.failovers().forEach(failover -> failover(html, failover));
        html.append("</div>\n</section>\n").append(extraSections).append("</main>\n<script src=\"status/status.js\"></script>\n</body>\n</html>\n");
        return html.toString();
    }

    private static void component(StringBuilder html, StatusSnapshot.ComponentRow row) {
        html.append("\n<tr class=\"component state-").append(row.state().label()).append("\" data-component=\"").append(escape(row.name())).append("\">");
        html.append("<td class=\"name\"><strong>").append(escape(row.name())).append("</strong><div class=\"sub\">").append(escape(where(row)))
                .append("</div></td>");
        html.append("<td class=\"state\"><span class=\"badge\">").append(row.state().label()).append("</span><div class=\"sub reasons\">")
                .append(escape(String.join("; ", row.reasons()))).append("</div></td>");
        cell(html, "rto", row.rtoText());
        cell(html, "rpo", row.rpoText());
        html.append("<td class=\"lag\">");
        if (row.replicas().isEmpty()) {
            html.append(NONE);
        }
        row.replicas().forEach(replica -> html.append("<div class=\"replica\" data-node=\"").append(escape(replica.node())).append("\">")
                .append(escape(replica.lagText())).append("</div>"));
        html.append("</td>");
        cell(html, "recovery-point", row.recoveryPointAgeText());
        cell(html, "last-good", row.lastGoodBackupText());
        cell(html, "last-failed", row.lastFailedBackupText());
        html.append("</tr>");
    }

    /** {@code database · cluster orders: pg-1 (primary), pg-2}; the same text as status.js's where(). */
    static String where(StatusSnapshot.ComponentRow row) {
        String text = row.kind();
        if (row.cluster() != null) {
            text += " · cluster " + row.cluster() + (row.nodes().isEmpty() ? "" : ": " + String.join(", ", row.nodes()));
        }
        return text;
    }

    private static void alert(StringBuilder html, StatusSnapshot.OpenAlert alert) {
        html.append("\n<tr class=\"alert sev-").append(token(alert.severity())).append(alert.silencedBy() == null ? "" : " silenced")
                .append("\" data-fingerprint=\"").append(escape(alert.fingerprint()))
                .append("\"><td class=\"severity\"><span class=\"badge\">").append(escape(alert.severity())).append("</span></td>");
        cell(html, "rule", alert.rule());
        cell(html, "component", alert.component());
        if (alert.silencedBy() == null) {
            cell(html, "summary", alert.summary());
        } else {
            html.append("<td class=\"summary\">").append(escape(alert.summary())).append(" <span class=\"silenced-by badge\">silenced: ")
                    .append(escape(alert.silencedBy())).append("</span></td>");
        }
        cell(html, "since", alert.sinceText());
        html.append("<td class=\"runbook\">");
        if (alert.runbookUrl() == null) {
            html.append(NONE);
        } else {
            html.append("<a href=\"").append(escape(alert.runbookUrl())).append("\" rel=\"noopener noreferrer\" target=\"_blank\">runbook</a>");
        }
        html.append("</td></tr>");
    }

    private static void failover(StringBuilder html, StatusSnapshot.Failover failover) {
        html.append("\n<article class=\"failover outcome-").append(token(failover.outcome())).append("\" data-incident=\"")
                .append(escape(failover.incident())).append("\">");
        html.append("<h3><span class=\"incident\">").append(escape(failover.incident())).append("</span> <span class=\"cluster\">cluster ")
                .append(escape(failover.cluster())).append("</span> <span class=\"outcome badge\">").append(escape(failover.outcome()))
                .append("</span></h3>");
        html.append("<p class=\"facts\">").append(escape(String.join(" · ", facts(failover)))).append("</p>");
        html.append("<p class=\"detail\">").append(escape(failover.detail())).append("</p>");
        html.append("<ol class=\"timeline\">");
        for (StatusSnapshot.Step step : failover.steps()) {
            html.append("<li class=\"step status-").append(token(step.status())).append("\">")
                    .append("<span class=\"step-id\">").append(escape(step.step())).append("</span> ")
                    .append("<span class=\"step-name\">").append(escape(step.name())).append("</span> ")
                    .append("<span class=\"step-status\">").append(escape(step.status())).append("</span> ")
                    .append("<span class=\"step-duration\">").append(escape(step.durationText())).append("</span>")
                    .append("<div class=\"step-detail\">").append(escape(step.detail())).append("</div></li>");
        }
        html.append("</ol></article>");
    }

    /** Started, old → new primary, recovery time; the same text as status.js's facts(). */
    static List<String> facts(StatusSnapshot.Failover failover) {
        List<String> facts = new ArrayList<>();
        facts.add("started " + failover.startedText());
        if (failover.oldPrimary() != null || failover.newPrimary() != null) {
            facts.add("primary " + orElse(failover.oldPrimary(), "?") + " → " + orElse(failover.newPrimary(), "-"));
        }
        if (failover.recoveryText() != null) {
            facts.add("recovery time " + failover.recoveryText());
        }
        return facts;
    }

    private static void cell(StringBuilder html, String css, String text) {
        html.append("<td class=\"").append(css).append("\">").append(text == null ? NONE : escape(text)).append("</td>");
    }

    private static void empty(StringBuilder html, int columns, String text) {
        html.append("\n<tr class=\"empty\"><td colspan=\"").append(columns).append("\">").append(text).append("</td></tr>");
    }

    /** A class-name token from event text: a summary's outcome is not trusted to be a bare word. */
    static String token(String text) {
        return text == null ? "" : text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    private static String orElse(String text, String fallback) {
        return text == null ? fallback : text;
    }
}
