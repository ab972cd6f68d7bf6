package dev.drpilot.notify.status;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.events.RestoreCheckQuery;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
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
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restore checks as people see them: checks on drpilot.recovery.checks, written before the actuator starts (they run
 * hours apart, so a restart must not lose the last one), shown in the page's "Restore checks" section beside the drills,
 * in a real headless Chromium: outcome, restore time against the RTO, recovery point against the RPO, the check queries,
 * when the next is due.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RestoreChecksPageIT {

    @Test
    void theLastCheckOfEachComponentBesideItsTargets(EmbeddedKafkaBroker broker, @TempDir Path temp) throws Exception {
        Path scratch = temp.resolve("scratch");
        DrpilotConfig config = ConfigLoader.parse("""
                components:
                  - {name: page-orders-db, kind: database, rto: 1h, rpo: 15m}
                  - {name: page-billing-db, kind: database, rto: 30m, rpo: 5m}
                  - {name: page-audit-db, kind: database, rto: 1h, rpo: 15m}
                backups:
                  - {component: page-orders-db, tool: pgbackrest, stanza: orders, restoreCheck: {schedule: "0 4 * * *", scratchDirectory: %s}}
                  - {component: page-billing-db, tool: pgbackrest, stanza: billing, restoreCheck: {scratchDirectory: %s}}
                  - {component: page-audit-db, tool: pgbackrest, stanza: audit, restoreCheck: {schedule: "every 24h", scratchDirectory: %s}}
                """.formatted(scratch.resolve("orders"), scratch.resolve("billing"), scratch.resolve("audit")), "it", name -> null);
        Instant checked = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MILLIS);
        RestoreCheck passed = RestoreCheck.newBuilder().setCheckedAt(checked).setComponent("page-orders-db").setHost("restore-1")
                .setSucceeded(true).setTool(BackupTool.PGBACKREST).setBackupName("20261201-010000F").setTarget("time")
                .setTargetTime(checked.minus(Duration.ofMinutes(17))).setRecoveryPointAt(checked.minus(Duration.ofMinutes(19)))
                .setStartedAt(checked.minus(Duration.ofMinutes(2))).setDurationMillis(95_000).setRtoMillis(3_600_000L).setRpoMillis(900_000L)
                .setChecks(List.of(RestoreCheckQuery.newBuilder().setName("orders-rows").setPassed(true).setDetail("1204").build(),
                        RestoreCheckQuery.newBuilder().setName("schema-version").setPassed(true).setDetail("42").build())).build();
        RestoreCheck failed = RestoreCheck.newBuilder().setCheckedAt(checked).setComponent("page-billing-db").setHost("restore-1")
                .setSucceeded(false).setTool(BackupTool.PGBACKREST).setTarget("latest").setStartedAt(checked.minus(Duration.ofMinutes(1)))
                .setDurationMillis(4_000).setRtoMillis(1_800_000L).setRpoMillis(300_000L).setChecks(List.of())
                .setError("pgbackrest restore exited 82: ERROR: [082]: unable to find a valid repository").build();
        send(broker, passed, failed);

        NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(),
                NotifyKafka.create(broker).options().withMetrics("127.0.0.1", 0)).start();
        ChromeDriver browser = HeadlessChromium.start(temp.resolve("chromium-profile"));
        try {
            String page = "http://127.0.0.1:" + actuator.metricsPort() + "/status";
            await("both checks on the page").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                browser.get(page);
                assertThat(browser.findElements(By.cssSelector("#restore-checks tr.outcome-passed, #restore-checks tr.outcome-failed"))).hasSize(2);
            });

            WebElement orders = browser.findElement(By.cssSelector("#restore-checks tr[data-component='page-orders-db']"));
            assertThat(orders.findElement(By.cssSelector(".outcome .badge")).getText()).isEqualToIgnoringCase("passed");
            assertThat(orders.findElement(By.cssSelector(".name .sub")).getText()).isEqualTo("pgbackrest 20261201-010000F on restore-1");
            assertThat(orders.findElement(By.cssSelector(".last-check")).getText()).startsWith(Figures.time(checked)).contains("ago");
            assertThat(orders.findElement(By.cssSelector(".duration")).getText()).isEqualTo("95.0 s of RTO 1 h");
            assertThat(orders.findElement(By.cssSelector(".recovery-point")).getText())
                    .isEqualTo(Figures.time(passed.getRecoveryPointAt()) + ", 2 min before the target; RPO 15 min");
            assertThat(orders.findElement(By.cssSelector(".checks")).getText()).isEqualTo("2 of 2 passed");
            assertThat(orders.findElement(By.cssSelector(".next")).getText()).endsWith("04:00:00Z (0 4 * * *)");

            WebElement billing = browser.findElement(By.cssSelector("#restore-checks tr[data-component='page-billing-db']"));
            assertThat(billing.findElement(By.cssSelector(".outcome .badge")).getText()).isEqualToIgnoringCase("failed");
            assertThat(billing.findElement(By.cssSelector(".outcome .sub")).getText()).contains("unable to find a valid repository");
            assertThat(billing.findElement(By.cssSelector(".recovery-point")).getText()).isEqualTo("none reached");
            assertThat(billing.findElement(By.cssSelector(".next")).getText()).isEqualTo("by hand only");

            WebElement audit = browser.findElement(By.cssSelector("#restore-checks tr[data-component='page-audit-db']"));
            assertThat(audit.findElement(By.cssSelector(".outcome .badge")).getText()).isEqualToIgnoringCase("never run");
            assertThat(audit.findElement(By.cssSelector(".next")).getText()).endsWith("(every 24h)");
            // Beside the drills' section, which this configuration leaves empty.
            assertThat(browser.findElement(By.cssSelector("#drills tr.empty")).getText()).isEqualTo("no drills configured");
        } finally {
            browser.quit();
            actuator.close();
        }
    }

    private static void send(EmbeddedKafkaBroker broker, RestoreCheck... checks) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(Topics.RESTORE_CHECKS.name(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        try (KafkaProducer<String, RestoreCheck> producer = KafkaTestClients.producer(broker, new StringSerializer(),
                Topics.RESTORE_CHECKS.valueSerde().serializer())) {
            for (RestoreCheck check : checks) {
                producer.send(new ProducerRecord<>(Topics.RESTORE_CHECKS.name(), check.getComponent(), check)).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
