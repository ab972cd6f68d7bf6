package dev.drpilot.notify.status;

import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.notify.metrics.DrillRuns;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static dev.drpilot.notify.status.Html.escape;

/**
 * The status page's "Drills" section: each configured drill with its newest run (outcome, when, measured RTO and RPO,
 * what its summary said) and when it is next due. Rendered by the server only: drills run days apart, so the section
 * is as fresh as the page's load. Not thread-safe: the {@link StatusBoard} guards it.
 */
final class DrillsSection {
    private static final String NONE = "—";

    private final DrpilotConfig config;
    private final DrillRuns runs = new DrillRuns();

    DrillsSection(DrpilotConfig config) {
        this.config = config;
    }

    void accept(ActionRecord record) {
        runs.accept(record);
    }

    String html(Instant now) {
        StringBuilder html = new StringBuilder("<section>\n<h2>Drills</h2>\n<table id=\"drills\">\n")
                .append("<thead><tr><th>Drill</th><th>Kind</th><th>Last run</th><th>Outcome</th><th>RTO</th><th>RPO</th>")
                .append("<th>Next due</th></tr></thead>\n<tbody>");
        if (config.drills().plans().isEmpty()) {
            html.append("\n<tr class=\"empty\"><td colspan=\"7\">no drills configured</td></tr>");
        }
        for (DrillSettings.Drill drill : config.drills().plans()) {
            Optional<DrillRuns.Run> last = runs.last(drill.name());
            String outcome = last.map(DrillRuns.Run::outcome).orElse("never run");
            html.append("\n<tr class=\"drill outcome-").append(StatusPage.token(outcome)).append("\" data-drill=\"").append(escape(drill.name()))
                    .append("\">");
            html.append("<td class=\"name\"><strong>").append(escape(drill.name())).append("</strong><div class=\"sub\">")
                    .append(escape(drill.cluster().map(cluster -> "cluster " + cluster).orElse("component " + drill.component()))).append("</div></td>");
            cell(html, "kind", ConfigNames.of(drill.kind()));
            cell(html, "last-run", last.map(run -> Figures.timeAndAge(run.finishedAt(), now)).orElse(null));
            html.append("<td class=\"outcome\"><span class=\"badge\">").append(escape(outcome)).append("</span><div class=\"sub\">")
                    .append(escape(last.map(DrillRuns.Run::detail).orElse(""))).append("</div></td>");
            cell(html, "rto", last.flatMap(DrillRuns.Run::rto).map(DrillsSection::seconds).orElse(null));
            cell(html, "rpo", last.flatMap(DrillRuns.Run::rpo).map(DrillsSection::seconds).orElse(null));
            cell(html, "next", drill.schedule().map(schedule -> Figures.time(schedule.next(now)) + " (" + schedule.text() + ")")
                    .orElse("by hand only"));
            html.append("</tr>");
        }
        return html.append("</tbody>\n</table>\n</section>\n").toString();
    }

    private static String seconds(Duration duration) {
        return Figures.duration(duration.toMillis() / 1000.0);
    }

    private static void cell(StringBuilder html, String css, String text) {
        html.append("<td class=\"").append(css).append("\">").append(text == null ? NONE : escape(text)).append("</td>");
    }
}
