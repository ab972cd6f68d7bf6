package dev.drpilot.detector;

import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static dev.drpilot.detector.RuleDriver.backup;
import static org.assertj.core.api.Assertions.assertThat;

class AlertReemitAndPoisonTest {

    @Test
    void aFiringAlertIsReemittedEveryIntervalWhenConfiguredAndNeverAfterItResolved() {
        try (RuleDriver driver = new RuleDriver("""
                components: [{name: orders-data, kind: application}]   # no RPO: only the backup-failed rule speaks
                alerts: {reemitInterval: 1m, evaluationInterval: 10s}
                """)) {
            driver.backup("orders-data", backup(0, "orders-data", BackupStatus.FAILED, null));
            assertThat(driver.alerts()).singleElement().extracting(Alert::getTriggerTime)
                    .as("the failed backup's record time").isEqualTo(RuleDriver.T0);
            driver.advance(Duration.ofSeconds(50));
            assertThat(driver.alerts()).isEmpty();
            driver.advance(Duration.ofSeconds(20));
            List<Alert> reminders = driver.alerts();
            assertThat(reminders).singleElement().satisfies(alert -> {
                assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
                assertThat(alert.getStartsAt()).isEqualTo(RuleDriver.T0);
                assertThat(alert.getEmittedAt()).as("the punctuation after the interval").isEqualTo(RuleDriver.T0.plusSeconds(70));
                assertThat(alert.getTriggerTime()).as("a reminder has no triggering record").isNull();
            });
            driver.advance(Duration.ofSeconds(60));
            assertThat(driver.alerts()).hasSize(1);
            driver.backup("orders-data", backup(200, "orders-data", BackupStatus.SUCCEEDED, RuleDriver.at(199)));
            assertThat(driver.alerts()).singleElement().satisfies(alert -> {
                assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
                assertThat(alert.getTriggerTime()).as("the succeeding backup's record time").isEqualTo(RuleDriver.at(200));
            });
            driver.advance(Duration.ofMinutes(5));
            assertThat(driver.alerts()).isEmpty();
        }
    }

    @Test
    void withoutAReemitIntervalAFiringAlertIsEmittedOnce() {
        try (RuleDriver driver = new RuleDriver("components: [{name: orders-data, kind: data}]\n")) {
            driver.backup("orders-data", backup(0, "orders-data", BackupStatus.FAILED, null));
            driver.advance(Duration.ofHours(1));
            assertThat(driver.alerts()).filteredOn(alert -> alert.getRule().equals("backup-failed")).hasSize(1);
        }
    }

    @Test
    void aRecordThatCannotBeReadIsSkippedAndTheRulesGoOn() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "poison-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("drpilot-poison-").toString());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                DetectorTopology.build(dev.drpilot.config.ConfigLoader.parse("components: [{name: orders-data, kind: data}]\n", "t", n -> null)),
                props, RuleDriver.T0)) {
            TestInputTopic<String, byte[]> raw = driver.createInputTopic(Topics.BACKUP_OBSERVATIONS.name(), new StringSerializer(),
                    new ByteArraySerializer());
            raw.pipeInput("orders-data", "{\"status\":\"FAILED\"}".getBytes(StandardCharsets.UTF_8));
            raw.pipeInput("orders-data", new byte[0]);
            raw.pipeInput("orders-data", Topics.BACKUP_OBSERVATIONS.valueSerde().serializer().serialize("t",
                    backup(1, "orders-data", BackupStatus.FAILED, null)));

            List<Alert> alerts = driver.createOutputTopic(Topics.ALERTS.name(), Topics.ALERTS.keySerde().deserializer(),
                    Topics.ALERTS.valueSerde().deserializer()).readValuesToList();
            assertThat(alerts).singleElement().extracting(Alert::getRule).isEqualTo("backup-failed");
            assertThat(driver.metrics().entrySet()).anySatisfy(entry -> {
                assertThat(entry.getKey().name()).isEqualTo("dropped-records-total");
                assertThat(((Number) entry.getValue().metricValue()).doubleValue()).isEqualTo(2.0);
            });
        }
    }
}
