package dev.drpilot.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How the detectors shape alerts.
 *
 * @param runbookUrl         template of every alert's {@code runbook_url}; {@code {rule}}, {@code {component}} and
 *                           {@code {cluster}} are replaced. Empty: alerts carry no runbook link unless the rule has its own.
 * @param runbookUrls        per-rule runbook links (same placeholders), overriding the template
 * @param reemitInterval     re-emit a FIRING alert this often while it keeps firing, for sinks that expect reminders; empty: never
 * @param evaluationInterval how often the age and absence rules (RPO, silent collector, RTO, failover health) look at the clock
 */
public record AlertSettings(Optional<String> runbookUrl, Map<String, String> runbookUrls, Optional<Duration> reemitInterval,
                            Duration evaluationInterval) {
    public AlertSettings {
        runbookUrls = InOrder.copyOf(runbookUrls);
    }

    /** The runbook link of an alert, placeholders filled in; empty when none is configured. */
    public Optional<String> runbookFor(String rule, String component, String cluster) {
        return Optional.ofNullable(runbookUrls.get(rule)).or(() -> runbookUrl)
                .map(template -> template.replace("{rule}", rule)
                        .replace("{component}", component == null ? "" : component)
                        .replace("{cluster}", cluster == null ? "" : cluster));
    }
}
