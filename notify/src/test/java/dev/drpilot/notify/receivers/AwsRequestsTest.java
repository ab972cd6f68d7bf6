package dev.drpilot.notify.receivers;

import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AwsRequestsTest {
    @Test
    void snsSubjectIsPrintableAsciiOfAtMost100AndTheMessageAtMost256KiB() {
        Alert alert = TestAlerts.firing("orders", Severity.CRITICAL)
                .setAnnotations(Map.of("summary", "Réplica très en retard\n" + "x".repeat(200), "description", "é".repeat(200_000))).build();
        String subject = SnsSink.subject(alert);
        assertThat(subject).hasSize(100).matches("[\\x20-\\x7E]+").startsWith("[FIRING:CRITICAL] orders-db: R?plica tr?s en retard?x");
        String message = SnsSink.message(alert);
        assertThat(message.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(SnsSink.MAX_MESSAGE_BYTES);
        assertThat(message).endsWith("[truncated]").startsWith("Réplica très en retard");
    }

    @Test
    void cloudWatchLeavesOutValuesItWouldRejectAndMapsUnits() {
        Alert alert = TestAlerts.firing("orders", Severity.WARNING).setValue(Double.NaN).build();
        PutMetricDataRequest request = CloudWatchSink.request("drpilot", alert);
        assertThat(request.metricData()).singleElement().satisfies(datum -> assertThat(datum.metricName()).isEqualTo("AlertFiring"));
        Alert resolved = TestAlerts.resolved(TestAlerts.firing("orders", Severity.WARNING).build(), TestAlerts.STARTS_AT.plusSeconds(60));
        assertThat(CloudWatchSink.request("drpilot", resolved).metricData().get(0).value()).isZero();
        assertThat(CloudWatchSink.unit("bytes")).isEqualTo(StandardUnit.BYTES);
        assertThat(CloudWatchSink.unit("furlongs")).isEqualTo(StandardUnit.NONE);
    }
}
