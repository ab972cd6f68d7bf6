package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.detector.alert.AlertBook;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import dev.drpilot.events.Source;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationLagRuleTest {
    private static final Instant T0 = RuleDriver.T0;
    private static final String CONFIG = """
            components: [{name: orders-db, kind: database, rpo: 5m}]
            thresholds: {replicationLag: 60s, replicationLagBytes: 64MiB, lagHold: 30s, resolveHold: 60s}
            alerts: {runbookUrl: "https://runbooks.example/drpilot/{rule}?component={component}"}
            """;

    private RuleDriver driver;

    @BeforeEach
    void start() {
        driver = new RuleDriver(CONFIG);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void lag(int second, Double seconds, Long bytes) {
        lag("orders-db", second, seconds, bytes);
    }

    private void lag(String component, int second, Double seconds, Long bytes) {
        ReplicationObservation observation = ReplicationObservation.newBuilder()
                .setObservedAt(T0.plusSeconds(second))
                .setSource(Source.newBuilder().setCollectorId("c1").setVantage("eu").build())
                .setComponent(component).setCluster("orders").setPrimaryNode("pg-1").setReplicaNode("pg-2")
                .setStreaming(true).setLagSeconds(seconds).setLagBytes(bytes)
                .build();
        driver.replication("orders", observation);
    }

    @Test
    void lagOverAMinuteForTheHoldTimeFiresOneWarningKeyedByFingerprint() {
        driver.advance(Duration.ofMillis(1500));
        for (int s = 0; s <= 120; s += 5) {
            lag(s, 75.0, 1_000L);
        }
        List<TestRecord<String, Alert>> fired = driver.alertRecords();

        assertThat(fired).hasSize(1);
        Alert alert = fired.get(0).value();
        assertThat(fired.get(0).key()).isEqualTo(alert.getFingerprint())
                .isEqualTo("replication-lag/cluster=orders/component=orders-db/node=pg-2");
        assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(alert.getStartsAt()).isEqualTo(T0);
        assertThat(alert.getEmittedAt()).as("emittedAt is the detector's wall clock").isEqualTo(T0.plusMillis(1500));
        assertThat(alert.getTriggerTime()).as("the record time of the observation that completed the hold").isEqualTo(T0.plusSeconds(30));
        assertThat(alert.getValue()).isEqualTo(75.0);
        assertThat(alert.getThreshold()).isEqualTo(60.0);
        assertThat(alert.getLabels()).containsEntry("alertname", "ReplicationLag").containsEntry("severity", "warning")
                .containsEntry("node", "pg-2");
        assertThat(alert.getAnnotations().get("summary")).isEqualTo("Replica pg-2 of orders is 1m15s behind");
        assertThat(alert.getAnnotations()).containsEntry("runbook_url", "https://runbooks.example/drpilot/replication-lag?component=orders-db");
    }
    @Test
    void lagBeyondTheRpoEscalatesToCritical() {
        lag(0, 75.0, 0L);
        lag(30, 75.0, 0L);
        lag(60, 400.0, 0L);

        assertThat(driver.alerts()).extracting(Alert::getSeverity).containsExactly(Severity.WARNING, Severity.CRITICAL);
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

        List<Alert> emitted = driver.alerts();
        assertThat(emitted).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(emitted.get(1).getEndsAt()).isEqualTo(T0.plusSeconds(50));
    }

    @Test
    void bytesAloneCanRaiseItAndMissingFiguresNeitherRaiseNorClear() {
        lag(0, null, 100L << 20);
        lag(15, null, null);
        lag(30, null, 100L << 20);
        lag(200, null, null);

        assertThat(driver.alerts()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void theFiringStateIsKeptInTheStoreSoMoreLagDoesNotFireAgain() {
        lag(0, 75.0, 0L);
        lag(30, 75.0, 0L);
        assertThat(driver.alerts()).hasSize(1);
        assertThat(driver.driver().getKeyValueStore(AlertBook.Stores.states(ReplicationLagRule.NAME)).get("replication-lag/cluster=orders/component=orders-db/node=pg-2"))
                .isNotNull();
        lag(35, 80.0, 0L);
        assertThat(driver.alerts().isEmpty()).isTrue();
    }

    @Test
    void aComponentsOwnThresholdsOverrideTheGlobalOnes() {
        try (RuleDriver strict = new RuleDriver("""
                components:
                  - {name: orders-db, kind: database, rpo: 5m}
                  - {name: ledger-db, kind: database, rpo: 5m, thresholds: {replicationLag: 10s, lagHold: 5s}}
                thresholds: {replicationLag: 60s, lagHold: 30s}
                """)) {
            for (String component : List.of("orders-db", "ledger-db")) {
                for (int s = 0; s <= 10; s += 5) {
                    ReplicationObservation observation = ReplicationObservation.newBuilder()
                            .setObservedAt(T0.plusSeconds(s)).setSource(Source.newBuilder().setCollectorId("c1").setVantage("eu").build())
                            .setComponent(component).setCluster(component).setReplicaNode("pg-2").setStreaming(true).setLagSeconds(20.0)
                            .build();
                    strict.replication(component, observation);
                }
            }
            assertThat(strict.alerts()).singleElement().satisfies(alert -> {
                assertThat(alert.getComponent()).isEqualTo("ledger-db");
                assertThat(alert.getThreshold()).isEqualTo(10.0);
            });
        }
    }

    @Test
    void aLateObservationOfNoLagDoesNotResolveWhatNewerLagKeepsFiring() {
        lag(0, 75.0, 0L);
        lag(30, 75.0, 0L);
        lag(100, 80.0, 0L);
        lag(10, 0.0, 0L);    // late: observed before the newest
        lag(15, 0.0, 0L);
        lag(200, 80.0, 0L);

        assertThat(driver.alerts()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void flappingAroundTheThresholdFiresOnceAndDoesNotResolve() {
        for (int s = 0; s <= 300; s += 5) {
            lag(s, s % 10 == 0 ? 62.0 : 57.0, 0L);   // 62 s, 57 s, 62 s ...: never over for the whole hold, as with Prometheus' "for"
        }
        assertThat(driver.alerts()).isEmpty();

        for (int s = 305; s <= 340; s += 5) {
            lag(s, 65.0, 0L);
        }
        for (int s = 345; s <= 900; s += 5) {
            lag(s, s % 10 == 0 ? 62.0 : 55.0, 0L);   // hovering inside the hysteresis band keeps it firing, no RESOLVED/FIRING pairs
        }
        assertThat(driver.alerts()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
    }

    @Test
    void aBlipShorterThanTheHoldFiresNothing() {
        lag(0, 90.0, 0L);
        lag(20, 90.0, 0L);
        lag(25, 5.0, 0L);
        lag(40, 90.0, 0L);
        lag(60, 90.0, 0L);   // 20 s over since 40: still under the 30 s hold

        assertThat(driver.alerts()).isEmpty();
    }
}
