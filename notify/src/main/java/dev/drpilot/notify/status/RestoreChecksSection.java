package dev.drpilot.notify.status;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.drpilot.notify.status.Html.escape;

/**
 * The status page's "Restore checks" section, beside the drills: per component whose backups are restore-checked, the
 * newest check (when, outcome, restore time against the RTO, recovery point reached against the RPO — counted as the
 * restore-check rule counts it, from the target — and the check queries' results) and when the next is due. Server-
 * rendered like the drills: checks run hours apart. Not thread-safe: the {@link StatusBoard} guards it.
 */
final class RestoreChecksSection {
    private static final String NONE = "—";

    private final DrpilotConfig config;
    private final Map<String, RestoreCheck> last = new LinkedHashMap<>();

    RestoreChecksSection(DrpilotConfig config) {
        this.config = config;
    }

    void accept(RestoreCheck check) {
        last.merge(check.getComponent(), check, (known, offered) -> offered.getCheckedAt().isBefore(known.getCheckedAt()) ? known : offered);
    }

    String html(Instant now) {
        StringBuilder html = new StringBuilder("<section>\n<h2>Restore checks</h2>\n<table id=\"restore-checks\">\n")
                .append("<thead><tr><th>Component</th><th>Last check</th><th>Outcome</th><th>Restore time</th><th>Recovery point</th>")
                .append("<th>Checks</th><th>Next due</th></tr></thead>\n<tbody>");
        Map<String, Optional<RestoreCheckSettings>> components = new LinkedHashMap<>();
        for (BackupSource backup : config.backups()) {
            backup.restoreCheck().ifPresent(settings -> components.put(backup.component(), Optional.of(settings)));
        }
        last.keySet().forEach(component -> components.putIfAbsent(component, Optional.empty()));
        if (components.isEmpty()) {
            html.append("\n<tr class=\"empty\"><td colspan=\"7\">no restore checks configured</td></tr>");
        }
        components.forEach((component, settings) -> row(html, component, settings, Optional.ofNullable(last.get(component)), now));
        return html.append("</tbody>\n</table>\n</section>\n").toString();
    }

    private void row(StringBuilder html, String component, Optional<RestoreCheckSettings> settings, Optional<RestoreCheck> check, Instant now) {
        String outcome = check.map(c -> c.getSucceeded() ? "passed" : "failed").orElse("never run");
        html.append("\n<tr class=\"restore-check outcome-").append(StatusPage.token(outcome)).append("\" data-component=\"")
                .append(escape(component)).append("\">");
        html.append("<td class=\"name\"><strong>").append(escape(component)).append("</strong><div class=\"sub\">")
                .append(escape(check.map(c -> c.getTool().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                        + (c.getBackupName() == null ? "" : " " + c.getBackupName()) + " on " + c.getHost()).orElse(""))).append("</div></td>");
        cell(html, "last-check", check.map(c -> Figures.timeAndAge(c.getCheckedAt(), now)).orElse(null));
        html.append("<td class=\"outcome\"><span class=\"badge\">").append(escape(outcome)).append("</span><div class=\"sub\">")
                .append(escape(check.map(RestoreCheck::getError).orElse(""))).append("</div></td>");
        cell(html, "duration", check.map(RestoreChecksSection::duration).orElse(null));
        cell(html, "recovery-point", check.flatMap(c -> recoveryPoint(c, rpo(component, c))).orElse(null));
        cell(html, "checks", check.map(RestoreChecksSection::checks).orElse(null));
        cell(html, "next", settings.flatMap(RestoreCheckSettings::schedule)
                .map(schedule -> Figures.time(schedule.next(now)) + " (" + schedule.text() + ")").orElse("by hand only"));
        html.append("</tr>");
    }

    private static String duration(RestoreCheck check) {
        Duration took = Duration.ofMillis(check.getDurationMillis());
        Duration rto = Duration.ofMillis(check.getRtoMillis());
        return Figures.duration(took) + " of RTO " + Figures.target(rto) + (check.getExceededRto() ? ": over the RTO" : "");
    }

    private Optional<Duration> rpo(String component, RestoreCheck check) {
        if (check.getRpoMillis() != null) {
            return Optional.of(Duration.ofMillis(check.getRpoMillis()));
        }
        return config.components().stream().filter(c -> c.name().equals(component)).findFirst().flatMap(Component::rpo);
    }

    /** The point reached and how far it lies behind the target (or the restore's start, for "latest"), against the RPO. */
    private static Optional<String> recoveryPoint(RestoreCheck check, Optional<Duration> rpo) {
        if (check.getRecoveryPointAt() == null) {
            return check.getSucceeded() ? Optional.empty() : Optional.of("none reached");
        }
        Instant reference = check.getTargetTime() != null ? check.getTargetTime() : check.getStartedAt();
        Duration behind = Duration.between(check.getRecoveryPointAt(), reference);
        String text = Figures.time(check.getRecoveryPointAt()) + ", " + Figures.duration(behind.isNegative() ? Duration.ZERO : behind)
                + " before " + (check.getTargetTime() != null ? "the target" : "the restore");
        return Optional.of(text + rpo.map(target -> "; RPO " + Figures.target(target) + (behind.compareTo(target) > 0 ? ": beyond the RPO" : ""))
                .orElse(""));
    }

    private static String checks(RestoreCheck check) {
        if (check.getChecks().isEmpty()) {
            return "none configured";
        }
        long passed = check.getChecks().stream().filter(RestoreCheckQuery::getPassed).count();
        String failed = check.getChecks().stream().filter(query -> !query.getPassed())
                .map(query -> query.getName() + (query.getDetail() == null ? "" : " (" + query.getDetail() + ")")).collect(Collectors.joining(", "));
        return passed + " of " + check.getChecks().size() + " passed" + (failed.isEmpty() ? "" : "; failed: " + failed);
    }

    private static void cell(StringBuilder html, String css, String text) {
        html.append("<td class=\"").append(css).append("\">").append(text == null ? NONE : escape(text)).append("</td>");
    }
}
