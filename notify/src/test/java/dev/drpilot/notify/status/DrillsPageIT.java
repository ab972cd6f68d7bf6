package dev.drpilot.notify.status;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.notify.MetricsScrape;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestObservations;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The drills as people and Prometheus see them: a drill's summary on drpilot.actions, written before the actuator
 * starts (a drill runs days apart, so a restart must not lose it), shown in the page's Drills section in a real headless
 * Chromium and as the drill gauges on /metrics.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class DrillsPageIT {

    @Test
    void theLastRunOfEachDrillAndWhenItIsNextDue(EmbeddedKafkaBroker broker, @TempDir Path temp) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: orders-db, kind: database, cluster: orders}]
                clusters:
                  orders:
                    component: orders-db
                    nodes: [{name: pg-1, host: 127.0.0.1, role: primary}, {name: pg-2, host: 127.0.0.1}]
                drills:
                  plans:
                    - {name: monthly-switchover, kind: switchover, cluster: orders, schedule: "0 3 1 * *"}
                    - {name: weekly-dry-run, kind: failover-dry-run, cluster: orders}
                """, "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        Instant ran = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.MILLIS);
        kafka.sendAction(TestObservations.drillSummary("monthly-switchover", "drill-monthly-switchover-1", "PASSED", ran,
                Map.of("rtoMillis", "2279", "rpoMillis", "0")));

        NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                kafka.options().withMetrics("127.0.0.1", 0)).start();
        ChromeDriver browser = HeadlessChromium.start(temp.resolve("chromium-profile"));
        try {
            Map<String, String> monthly = Map.of("drill", "monthly-switchover");
            await("the drill's gauges").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                MetricsScrape scrape = MetricsScrape.of(actuator.metricsPort());
                assertThat(scrape.value("drpilot_drill_last_success_timestamp_seconds", monthly)).hasValue(ran.toEpochMilli() / 1000.0);
                assertThat(scrape.value("drpilot_drill_rto_seconds", monthly)).hasValue(2.279);
                assertThat(scrape.value("drpilot_drill_rpo_seconds", monthly)).hasValue(0.0);
            });

            browser.get("http://127.0.0.1:" + actuator.metricsPort() + "/status");
            WebElement row = browser.findElement(By.cssSelector("#drills tr[data-drill='monthly-switchover']"));
            assertThat(row.getAttribute("class")).contains("outcome-passed");
            assertThat(row.findElement(By.cssSelector(".kind")).getText()).isEqualTo("switchover");
            assertThat(row.findElement(By.cssSelector(".outcome .badge")).getText()).isEqualTo("PASSED");
            assertThat(row.findElement(By.cssSelector(".last-run")).getText()).startsWith(Figures.time(ran)).contains("ago");
            assertThat(row.findElement(By.cssSelector(".rto")).getText()).isEqualTo("2.3 s");
            assertThat(row.findElement(By.cssSelector(".next")).getText()).endsWith("03:00:00Z (0 3 1 * *)");
            WebElement never = browser.findElement(By.cssSelector("#drills tr[data-drill='weekly-dry-run']"));
            assertThat(never.findElement(By.cssSelector(".outcome .badge")).getText()).isEqualToIgnoringCase("never run");
            assertThat(never.findElement(By.cssSelector(".next")).getText()).isEqualTo("by hand only");
            // The page's script re-renders its own sections every 2 s; the drills' stays as the server rendered it.
            String rendered = browser.findElement(By.id("updated")).getText();
            await("the script's next refresh").atMost(Duration.ofSeconds(10)).until(() -> !browser.findElement(By.id("updated")).getText().equals(rendered));
            assertThat(browser.findElements(By.cssSelector("#drills tr.drill"))).hasSize(2);
        } finally {
            browser.quit();
            actuator.close();
        }
    }
}
