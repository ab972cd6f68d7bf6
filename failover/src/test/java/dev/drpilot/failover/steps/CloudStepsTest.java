package dev.drpilot.failover.steps;

import dev.drpilot.config.Runbook;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.route53.Route53Client;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The factory reads a runbook step's options; no client here talks to a server. */
class CloudStepsTest {
    private final KubernetesClient kubernetes = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").withNamespace("ops").build()).build();
    private final StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));
    private final Route53Client route53 = CloudSteps.route53Client(Region.AWS_GLOBAL, Optional.empty(), credentials);
    private final RdsClient rds = CloudSteps.rdsClient(Region.EU_WEST_1, Optional.empty(), credentials);

    @AfterEach
    void close() {
        kubernetes.close();
        route53.close();
        rds.close();
    }

    private static Runbook.Step step(Runbook.Type type, Map<String, String> options) {
        return new Runbook.Step(type, Duration.ofSeconds(60), options);
    }

    @Test
    void buildsEachMethodsStep() {
        assertThat(CloudSteps.repoint(step(Runbook.Type.REPOINT, Map.of("method", "kubernetes", "namespace", "orders",
                "deployment", "orders-app", "env", "DB_PRIMARY")), kubernetes, null)).isInstanceOf(KubernetesRepointStep.class);
        assertThat(CloudSteps.repoint(step(Runbook.Type.REPOINT, Map.of("method", "kubernetes", "configMap", "orders-db", "key", "host")),
                kubernetes, null)).isInstanceOf(KubernetesRepointStep.class);
        assertThat(CloudSteps.repoint(step(Runbook.Type.REPOINT, Map.of("method", "route53", "hostedZoneId", "Z1", "recordName", "db.example.com")),
                null, route53).describe()).isEqualTo("repoint route53");
        assertThat(CloudSteps.fence(step(Runbook.Type.FENCE, Map.of("method", "kubernetes", "statefulSet", "pg-1")), kubernetes).describe())
                .isEqualTo("fence kubernetes");
        assertThat(CloudSteps.promote(step(Runbook.Type.PROMOTE, Map.of("method", "rds")), rds)).isInstanceOf(RdsPromoteStep.class);
    }

    @Test
    void aMissingOptionIsNamed() {
        assertThatThrownBy(() -> CloudSteps.repoint(step(Runbook.Type.REPOINT, Map.of("method", "kubernetes", "deployment", "orders-app")), kubernetes, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs option env");
        assertThatThrownBy(() -> CloudSteps.fence(step(Runbook.Type.FENCE, Map.of("method", "kubernetes")), kubernetes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs option deployment");
        assertThatThrownBy(() -> CloudSteps.repoint(step(Runbook.Type.REPOINT, Map.of("method", "route53", "hostedZoneId", "Z1", "recordName", "db")), kubernetes, null))
                .isInstanceOf(NullPointerException.class).hasMessage("method route53 needs a Route 53 client");
    }

    @Test
    void aNonCloudMethodIsRefused() {
        assertThatThrownBy(() -> CloudSteps.fence(step(Runbook.Type.FENCE, Map.of("method", "stop")), kubernetes))
                .hasMessage("fence method stop is not a cloud step (kubernetes)");
        assertThatThrownBy(() -> CloudSteps.promote(step(Runbook.Type.FENCE, Map.of("method", "rds")), rds))
                .hasMessage("a promote step was expected, got fence");
    }
}
