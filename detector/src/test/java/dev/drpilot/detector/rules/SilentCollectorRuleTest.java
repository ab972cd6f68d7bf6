package dev.drpilot.detector.rules;

import dev.drpilot.detector.RuleDriver;
import dev.drpilot.events.Alert;
import dev.drpilot.events.AlertStatus;
import dev.drpilot.events.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.drpilot.detector.RuleDriver.heartbeat;
import static org.assertj.core.api.Assertions.assertThat;

class SilentCollectorRuleTest {
    private final RuleDriver driver = new RuleDriver("""
            expectedCollectors: [{id: us-1, heartbeatInterval: 20s}]
            thresholds: {collectorSilenceFactor: 3}
            alerts: {evaluationInterval: 5s}
            """);

    @AfterEach
    void stop() {
        driver.close();
    }

    private List<Alert> silent() {
        return driver.alerts().stream().filter(alert -> alert.getRule().equals("silent-collector")).toList();
    }

    @Test
    void aCollectorThatStopsSendingHeartbeatsIsSilentAfterThreeIntervalsAndItsNextHeartbeatResolves() {
        for (int beat = 0; beat < 6; beat++) {
            driver.heartbeat(heartbeat("eu-1", RuleDriver.T0.plusSeconds(beat * 10L), Duration.ofSeconds(10)));
            driver.heartbeat(heartbeat("us-1", RuleDriver.T0.plusSeconds(beat * 10L), Duration.ofSeconds(20)));
            driver.advance(Duration.ofSeconds(10));
        }
        assertThat(silent()).isEmpty();
        driver.heartbeat(heartbeat("us-1", RuleDriver.T0.plusSeconds(60), Duration.ofSeconds(20)));
        driver.advance(Duration.ofSeconds(15));   // eu-1 last heard at +50 s: silent for 25 s
        assertThat(silent()).isEmpty();
        driver.advance(Duration.ofSeconds(10));   // silent for 35 s > 3 × 10 s
        assertThat(silent()).singleElement().satisfies(alert -> {
            assertThat(alert.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(alert.getFingerprint()).isEqualTo("silent-collector/collector=eu-1/component=drpilot");
            assertThat(alert.getThreshold()).isEqualTo(30.0);
        });
        driver.heartbeat(heartbeat("eu-1", RuleDriver.T0.plusSeconds(100), Duration.ofSeconds(10)));
        assertThat(silent()).singleElement().extracting(Alert::getStatus).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void anExpectedCollectorThatNeverStartedIsSilentCountedFromTheDetectorsStart() {
        driver.advance(Duration.ofSeconds(55));
        assertThat(silent()).isEmpty();
        driver.advance(Duration.ofSeconds(10));
        assertThat(silent()).singleElement().satisfies(alert -> {
            assertThat(alert.getLabels()).containsEntry("collector", "us-1");
            assertThat(alert.getAnnotations().get("description")).contains("never been heard from");
        });
    }
}
