package dev.drpilot.detector.rules;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorTopology;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationLagRuleTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database, rpo: 5m}]
            thresholds: {replicationLag: 60s, replicationLagBytes: 64MiB, lagHold: 30s, resolveHold: 60s}
            """, "test", name -> null);

    private TopologyTestDriver driver;
    private TestInputTopic<String, ReplicationObservation> observations;
    private TestOutputTopic<String, Alert> alerts;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(DetectorTopology.build(CONFIG), props);
        observations = driver.createInputTopic(Topics.REPLICATION_OBSERVATIONS.name(),
                Topics.REPLICATION_OBSERVATIONS.keySerde().serializer(), Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void lag(int second, Double seconds, Long bytes) {
        ReplicationObservation observation = ReplicationObservation.newBuilder()
                .setObservedAt(T0.plusSeconds(second))
                .setSource(Source.newBuilder().setCollectorId("c1").setVantage("eu").build())
                .setComponent("orders-db").setCluster("orders").setPrimaryNode("pg-1").setReplicaNode("pg-2")
                .setStreaming(true).setLagSeconds(seconds).setLagBytes(bytes)
                .build();
        observations.pipeInput(new TestRecord<>("orders", observation, T0.plusSeconds(second)));
    }

    @Test
    void lagOverAMinuteForTheHoldTimeFiresOneWarningKeyedByFingerprint() {
        for (int s = 0; s <= 120; s += 5) {
            lag(s, 75.0, 1_000L);
        }
        List<TestRecord<String, Alert>> fired = alerts.readRecordsToList();

        assertThat(fired).hasSize(1);
        Alert alert = fired.get(0).value();
        assertThat(fired.get(0).key()).isEqualTo(alert.getFingerprint())
                .isEqualTo("replication-lag/cluster=orders/component=orders-db/node=pg-2");
        assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(alert.getStartsAt()).isEqualTo(T0);
        assertThat(alert.getEmittedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(alert.getValue()).isEqualTo(75.0);
        assertThat(alert.getThreshold()).isEqualTo(60.0);
        assertThat(alert.getLabels()).containsEntry("alertname", "ReplicationLag").containsEntry("severity", "warning")
                .containsEntry("node", "pg-2");
        assertThat(alert.getAnnotations().get("summary")).isEqualTo("Replica pg-2 of orders is 1m15s behind");
    }

    @Test
    void lagBeyondTheRpoEscalatesToCritical() {
        lag(0, 75.0, 0L);
        lag(30, 75.0, 0L);
        lag(60, 400.0, 0L);

        assertThat(alerts.readValuesToList()).extracting(Alert::getSeverity).containsExactly(Severity.WARNING, Severity.CRITICAL);
    }

    @Test
    void resolvesOnceWhenLagStaysBelowTheHysteresisLine() {
        lag(0, 75.0, 0L);
        lag(30, 75.0, 0L);
        lag(40, 58.0, 0L);   // under 60 s but over 54 s: still firing
        lag(50, 10.0, 0L);
        lag(80, 0.0, 0L);
        lag(110, 0.0, 0L);
        lag(120, 0.0, 0L);

        List<Alert> emitted = alerts.readValuesToList();
        assertThat(emitted).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(emitted.get(1).getEndsAt()).isEqualTo(T0.plusSeconds(50));
    }

    @Test
    void bytesAloneCanRaiseItAndMissingFiguresNeitherRaiseNorClear() {
        lag(0, null, 100L << 20);
        lag(15, null, null);
        lag(30, null, 100L << 20);
        lag(200, null, null);

        assertThat(alerts.readValuesToList()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void theFiringStateIsKeptInTheStoreSoMoreLagDoesNotFireAgain() {
        lag(0, 75.0, 0L);
        lag(30, 75.0, 0L);
        assertThat(alerts.readValuesToList()).hasSize(1);
        assertThat(driver.getKeyValueStore(ReplicationLagRule.STORE).get("replication-lag/cluster=orders/component=orders-db/node=pg-2"))
                .isNotNull();
        lag(35, 80.0, 0L);
        assertThat(alerts.isEmpty()).isTrue();
    }
}
