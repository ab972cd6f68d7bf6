package dev.drpilot.notify.status;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.MetricsScrape;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.notify.TestObservations;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status page as a browser shows it: a real actuator on the shared broker, fed observations, an
 * alert and a past failover, and a real headless Chromium loading the page and watching it update — then a failover and
 * the evidence after it, which the page's topology and {@code /metrics} show as live roles.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class StatusPageIT {
    /** Where the screenshot goes: a build artefact; docs/images/status-page.png is a copy of a good one. */
    private static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @Test
    void showsTargetsFiguresAlertsAndFailoversAndUpdatesWithoutAReload(EmbeddedKafkaBroker broker, @TempDir Path temp) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                components:
                  - {name: orders-db, kind: database, cluster: orders}
                  - {name: orders-data, kind: data}
                  - {name: storefront, kind: application}
                clusters:
                  orders:
                    component: orders-db
                    replicationInterval: 1s
                    nodes:
                      - {name: pg-1, host: 127.0.0.1, role: primary, user: drpilot}
                      - {name: pg-2, host: 127.0.0.1, user: drpilot}
                      - {name: pg-3, host: 127.0.0.1, user: drpilot}
                """, "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant failedAt = now.minus(Duration.ofDays(2));
        // All of it written before the actuator starts: the page must show what happened before, the failover too.
        kafka.sendAction(StatusBoardTest.step("inc-0042", "1-check", "check orders", ActionStatus.STARTED, failedAt, null, "choosing a replica"),
                StatusBoardTest.step("inc-0042", "1-check", "check orders", ActionStatus.SUCCEEDED, failedAt, failedAt.plusMillis(140),
                        "pg-2 chosen: lag 0 B"),
                StatusBoardTest.step("inc-0042", "2-fence", "fence pg-1", ActionStatus.SUCCEEDED, failedAt.plusMillis(140),
                        failedAt.plusMillis(400), "pg-1 unreachable: fenced by the load balancer"),
                StatusBoardTest.step("inc-0042", "3-promote", "promote pg-2", ActionStatus.SUCCEEDED, failedAt.plusMillis(400),
                        failedAt.plusMillis(2900), "pg-2 promoted, writable"),
                TestObservations.failoverSummary("inc-0042", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                        Map.of("rtoMillis", "5300", "oldPrimary", "pg-1", "newPrimary", "pg-2"), failedAt.plusSeconds(3)));
        kafka.sendReplication(TestObservations.lag("pg-2", 95.0, 1L << 20, now), TestObservations.lag("pg-3", 0.4, 2048L, now));
        kafka.sendBackup(TestObservations.backup(BackupStatus.SUCCEEDED, now.minus(Duration.ofHours(1)), now.minusSeconds(40), now));
        kafka.send(TestAlerts.firing("orders", Severity.CRITICAL).setEmittedAt(now).build());

        NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                kafka.options().withMetrics("127.0.0.1", 0)).start();
        ChromeDriver browser = HeadlessChromium.start(temp.resolve("chromium-profile"));
        try {
            String base = "http://127.0.0.1:" + actuator.metricsPort();
            // The page shares the port with /metrics, which must still answer as before.
            assertThat(MetricsScrape.of(actuator.metricsPort()).value("drpilot_rto_target_seconds", Map.of("component", "orders-db"))).hasValue(900.0);
            assertThat(get(base + "/api/status")).contains("\"components\"");

            browser.get(base + "/status");
            assertThat(browser.getTitle()).isEqualTo("drpilot status");
            onThePage("the component row with its figures").untilAsserted(() -> {
                WebElement row = browser.findElement(By.cssSelector("#components tr[data-component='orders-db']"));
                assertThat(row.getAttribute("class")).contains("state-critical");
                assertThat(text(row, ".rto")).isEqualTo("15 min");
                assertThat(text(row, ".rpo")).isEqualTo("5 min");
                assertThat(row.findElements(By.cssSelector(".lag .replica"))).extracting(WebElement::getText)
                        .containsExactly("pg-2: 95.0 s / 1.0 MiB", "pg-3: 0.4 s / 2.0 KiB");
                assertThat(text(row, ".recovery-point")).matches("\\d+\\.\\d s");
                assertThat(text(row, ".last-good")).contains(Figures.time(now.minus(Duration.ofHours(1)))).contains("ago");
                assertThat(text(row, ".state")).contains("CRITICAL").contains("alert replication-lag firing (critical)");
            });
            onThePage("the component without figures").untilAsserted(() ->
                    assertThat(browser.findElement(By.cssSelector("#components tr[data-component='storefront']")).getAttribute("class"))
                            .contains("state-unknown"));

            onThePage("the firing alert").untilAsserted(() -> {
                List<WebElement> alerts = browser.findElements(By.cssSelector("#alerts tr.alert"));
                assertThat(alerts).hasSize(1);
                WebElement alert = alerts.get(0);
                assertThat(alert.getAttribute("class")).contains("sev-critical");
                assertThat(text(alert, ".rule")).isEqualTo("replication-lag");
                assertThat(text(alert, ".component")).isEqualTo("orders-db");
                assertThat(text(alert, ".summary")).isEqualTo("Replica pg-2 of orders is 95 s behind");
                assertThat(text(alert, ".since")).startsWith(Figures.time(TestAlerts.STARTS_AT));
                assertThat(alert.findElement(By.cssSelector(".runbook a")).getAttribute("href")).isEqualTo("https://runbooks.example.com/replication-lag");
            });

            onThePage("the failover timeline").untilAsserted(() -> {
                WebElement failover = browser.findElement(By.cssSelector("#failovers article[data-incident='inc-0042']"));
                assertThat(failover.getAttribute("class")).contains("outcome-succeeded");
                assertThat(text(failover, ".facts")).contains("primary pg-1 → pg-2").contains("recovery time 5.3 s");
                List<WebElement> steps = failover.findElements(By.cssSelector("ol.timeline li.step"));
                assertThat(steps).extracting(step -> text(step, ".step-id")).containsExactly("1-check", "2-fence", "3-promote");
                assertThat(steps).extracting(step -> text(step, ".step-status")).containsOnly("SUCCEEDED");
                assertThat(steps).extracting(step -> text(step, ".step-duration")).containsExactly("140 ms", "260 ms", "2.5 s");
                assertThat(text(steps.get(2), ".step-detail")).isEqualTo("pg-2 promoted, writable");
            });
            assertThat(browser.findElement(By.id("connection")).getText()).isEqualTo("live");

            // A second alert must appear by itself: no reload, the page's own JavaScript re-renders it.
            browser.executeScript("window.__marker = 'same page';");
            String updatedBefore = browser.findElement(By.id("updated")).getText();
            Alert backup = TestAlerts.firing("orders", Severity.WARNING).setRule("backup-failed").setFingerprint("backup-failed/component=orders-db")
                    .setAnnotations(Map.of("summary", "Backup base_42 of orders-db failed: <disk full>")).setValue(null).build();
            kafka.send(backup);
            onThePage("the second alert, without a reload").untilAsserted(() -> {
                assertThat(browser.findElements(By.cssSelector("#alerts tr.alert"))).extracting(row -> text(row, ".rule"))
                        .containsExactly("replication-lag", "backup-failed");
                assertThat(browser.findElement(By.id("alert-count")).getText()).isEqualTo("2");
            });
            assertThat(browser.executeScript("return window.__marker;")).isEqualTo("same page");
            onThePage("the second alert's cells").untilAsserted(() -> {
                WebElement second = browser.findElement(By.cssSelector("#alerts tr[data-fingerprint='backup-failed/component=orders-db']"));
                assertThat(text(second, ".summary")).as("markup in a summary is shown as text").isEqualTo("Backup base_42 of orders-db failed: <disk full>");
                assertThat(text(second, ".runbook")).isEqualTo("—");
            });
            assertThat(browser.findElement(By.id("updated")).getText()).isNotEqualTo(updatedBefore);

            // A failover now, and the evidence after it: the page and /metrics show the live roles, not the configured ones.
            Instant promotedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            kafka.sendAction(TestObservations.failoverSummary("inc-0043", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                    Map.of("rtoMillis", "2100", "oldPrimary", "pg-1", "newPrimary", "pg-3"), promotedAt));
            kafka.sendReplication(ReplicationObservation.newBuilder(TestObservations.lag("pg-2", 0.0, 0L, promotedAt.plusMillis(500)))
                            .setPrimaryNode("pg-3").setInRecovery(true).setTimeline(2L).setPrimaryTimeline(2L).setUpstream("pg-3").build(),
                    ReplicationObservation.newBuilder(TestObservations.lag("pg-1", null, null, promotedAt.plusMillis(500)))
                            .setPrimaryNode("pg-3").setStreaming(false).setState(null).setError("replica pg-1: connection refused").build());
            kafka.sendLease(AgentLease.newBuilder().setCluster("orders").setNode("pg-3").setAgentId("agent-pg-3").setState(LeaseState.HOLDING)
                    .setSequence(1).setTtlMillis(5000).setTimeline(2L).setRenewedAt(promotedAt.plusMillis(600)).build());
            onThePage("the live topology after the failover, without a reload").untilAsserted(() -> {
                WebElement orders = browser.findElement(By.cssSelector("#topology article[data-cluster='orders']"));
                WebElement pg1 = orders.findElement(By.cssSelector("tr[data-node='pg-1']"));
                WebElement pg2 = orders.findElement(By.cssSelector("tr[data-node='pg-2']"));
                WebElement pg3 = orders.findElement(By.cssSelector("tr[data-node='pg-3']"));
                assertThat(text(pg3, ".role")).isEqualToIgnoringCase("primary");
                assertThat(text(pg3, ".timeline")).isEqualTo("2");
                assertThat(text(pg3, ".note")).isEqualTo("configured replica");
                assertThat(text(pg2, ".role")).isEqualToIgnoringCase("replica");
                assertThat(text(pg2, ".upstream")).isEqualTo("pg-3");
                assertThat(text(pg2, ".timeline")).isEqualTo("2");
                assertThat(pg1.getAttribute("class")).contains("role-down");
                assertThat(text(pg1, ".note")).isEqualTo("configured primary; replaced by pg-3 at " + Figures.time(promotedAt) + " (failover inc-0043)");
                assertThat(orders.findElements(By.cssSelector(".warning"))).isEmpty();
            });
            assertThat(browser.executeScript("return window.__marker;")).isEqualTo("same page");
            MetricsScrape topology = MetricsScrape.of(actuator.metricsPort());
            assertThat(topology.value("drpilot_node_role", Map.of("cluster", "orders", "node", "pg-3", "role", "primary"))).hasValue(1.0);
            assertThat(topology.value("drpilot_node_role", Map.of("cluster", "orders", "node", "pg-1", "role", "down"))).hasValue(1.0);
            assertThat(topology.value("drpilot_node_role", Map.of("cluster", "orders", "node", "pg-1", "role", "primary"))).isEmpty();
            assertThat(topology.value("drpilot_node_timeline", Map.of("cluster", "orders", "node", "pg-3"))).hasValue(2.0);
            assertThat(topology.value("drpilot_node_upstream_info", Map.of("cluster", "orders", "node", "pg-2", "upstream", "pg-3"))).hasValue(1.0);
            assertThat(topology.value("drpilot_cluster_live_primaries", Map.of("cluster", "orders"))).hasValue(1.0);
            assertThat(get(base + "/api/status")).contains("\"topology\"", "\"role\":\"primary\"");

            Files.createDirectories(SCREENSHOT.getParent());
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);

            // The server goes away: the page keeps its figures and says that it is disconnected.
            actuator.close();
            onThePage("the disconnected marker").untilAsserted(() -> {
                WebElement marker = browser.findElement(By.id("connection"));
                assertThat(marker.getText()).isEqualTo("disconnected");
                assertThat(marker.getAttribute("class")).contains("disconnected");
            });
            assertThat(browser.findElements(By.cssSelector("#alerts tr.alert"))).hasSize(2);
            assertThat(browser.executeScript("return window.__marker;")).isEqualTo("same page");
        } finally {
            browser.quit();
            actuator.close();
        }
    }

    /**
     * Waits for what the page shows. The page's script re-renders its sections every 2 s, so an
     * element found a moment ago may have been replaced by the time it is read: read it again.
     */
    private static ConditionFactory onThePage(String what) {
        return await(what).atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class);
    }

    private static String text(WebElement element, String css) {
        return element.findElement(By.cssSelector(css)).getText();
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }
}
