package dev.drpilot.notify.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus rules, the Prometheus scrape configuration and the Alertmanager route example
 * shipped under {@code deploy/} load in the real tools, and the rules fire as their unit tests say.
 */
class PrometheusConfigIT {
    private final Path deploy = PrometheusTools.deployDir();

    @Test
    void rulesLoad() throws Exception {
        PrometheusTools.Run run = PrometheusTools.promtool(deploy, "check", "rules", "prometheus/drpilot-rules.yml");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.output()).as(run.toString()).contains("SUCCESS").containsPattern("SUCCESS: \\d+ rules found");
    }

    @Test
    void prometheusConfigLoadsWithTheRulesItNames() throws Exception {
        // From elsewhere than deploy/prometheus: the rules path must be relative to the configuration file, not to where one stands.
        PrometheusTools.Run run = PrometheusTools.promtool(deploy.getParent(), "check", "config", "deploy/prometheus/prometheus-example.yml");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.output()).as(run.toString()).contains("SUCCESS: 1 rule files found", "is valid prometheus config file syntax",
                "drpilot-rules.yml");
    }

    @Test
    void alertmanagerExampleLoads() throws Exception {
        PrometheusTools.Run run = PrometheusTools.amtool(deploy, "check-config", "alertmanager/alertmanager-example.yml");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.output()).as(run.toString()).contains("SUCCESS", "3 receivers");
    }

    @Test
    void rulesFireAsTheirUnitTestsExpect() throws Exception {
        PrometheusTools.Run run = PrometheusTools.promtool(deploy.resolve("prometheus"), "test", "rules", "drpilot-rules.test.yml");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.output()).as(run.toString()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void theChecksRejectBrokenFiles(@TempDir Path dir) throws Exception {
        // The checks above mean something only if the same tools fail on a broken file.
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: broken
                    rules:
                      - alert: LagTypo
                        expr: drpilot_replication_lag_seconds >
                """);
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: nowhere
                receivers:
                  - name: somewhere
                """);

        PrometheusTools.Run rules = PrometheusTools.promtool(dir, "check", "rules", "rules.yml");
        PrometheusTools.Run alertmanager = PrometheusTools.amtool(dir, "check-config", "alertmanager.yml");

        assertThat(rules.exitCode()).as(rules.toString()).isNotZero();
        assertThat(rules.output()).as(rules.toString()).contains("FAILED");
        assertThat(alertmanager.exitCode()).as(alertmanager.toString()).isNotZero();
        assertThat(alertmanager.output()).as(alertmanager.toString()).contains("FAILED", "nowhere");
    }
}
