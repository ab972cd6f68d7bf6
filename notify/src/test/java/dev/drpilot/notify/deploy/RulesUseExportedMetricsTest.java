package dev.drpilot.notify.deploy;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.notify.metrics.DeliveryMetrics;
import dev.drpilot.notify.metrics.FiringAlerts;
import dev.drpilot.notify.metrics.PlantMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every drpilot metric the shipped Prometheus rules query is one the actuator exports: promtool
 * accepts a rule over a misspelt metric, which would then simply never fire.
 */
class RulesUseExportedMetricsTest {
    private static final Pattern METRIC = Pattern.compile("\\bdrpilot_[a-z_]+");
    private static final Pattern SUFFIX = Pattern.compile("_(total|bucket|count|sum)$");

    @Test
    void everyMetricTheRulesQueryIsExported() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        // The actuator's own metrics, as NotifyService registers them (JVM metrics aside).
        new DeliveryMetrics(registry);
        new FiringAlerts(registry);
        new PlantMetrics(registry, ConfigLoader.parse("components: [{name: orders-db, kind: database}]", "test", name -> null),
                Clock.systemUTC());
        Set<String> exported = registry.scrape().stream().map(MetricSnapshot::getMetadata).map(metadata -> metadata.getPrometheusName())
                .collect(Collectors.toCollection(TreeSet::new));

        String rules = Files.readString(PrometheusTools.deployDir().resolve("prometheus/drpilot-rules.yml"));
        Set<String> queried = new TreeSet<>();
        Matcher metric = METRIC.matcher(rules.replaceAll("(?m)#.*$", "").replaceAll("(?m)^\\s+(summary|description|runbook_url):.*$", ""));
        while (metric.find()) {
            queried.add(metric.group());
        }

        assertThat(queried).as("drpilot metrics in the rules' expressions").hasSizeGreaterThan(5);
        assertThat(queried).allSatisfy(name -> assertThat(exported).as("exported metrics").containsAnyOf(name,
                SUFFIX.matcher(name).replaceFirst("")));
    }
}
