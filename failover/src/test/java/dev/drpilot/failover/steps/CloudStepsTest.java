package dev.drpilot.failover.steps;

import dev.drpilot.config.StepSpec.FenceKubernetes;
import dev.drpilot.config.StepSpec.FenceKubernetes.Workload;
import dev.drpilot.config.StepSpec.PromoteRds;
import dev.drpilot.config.StepSpec.RepointKubernetes;
import dev.drpilot.config.StepSpec.RepointKubernetes.Target;
import dev.drpilot.config.StepSpec.RepointRoute53;
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

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The factory reads a step's typed spec; no client here talks to a server. */
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

    @Test
    void buildsEachMethodsStep() {
        assertThat(CloudSteps.repoint(new RepointKubernetes(Optional.of("orders"), Target.DEPLOYMENT_ENV, "orders-app", "DB_PRIMARY"), kubernetes))
                .isInstanceOf(KubernetesRepointStep.class);
        assertThat(CloudSteps.repoint(new RepointKubernetes(Optional.empty(), Target.CONFIG_MAP_KEY, "orders-db", "host"), kubernetes))
                .isInstanceOf(KubernetesRepointStep.class);
        assertThat(CloudSteps.repoint(new RepointRoute53("Z1", "db.example.com", RepointRoute53.DEFAULT_TTL, Optional.empty()), route53).describe())
                .isEqualTo("repoint route53");
        assertThat(CloudSteps.fence(new FenceKubernetes(Optional.empty(), Workload.STATEFUL_SET, "pg-1"), kubernetes).describe())
                .isEqualTo("fence kubernetes");
        assertThat(CloudSteps.promote(new PromoteRds("eu-west-1", Optional.empty()), rds)).isInstanceOf(RdsPromoteStep.class);
    }

    @Test
    void aMissingClientIsNamed() {
        assertThatThrownBy(() -> CloudSteps.repoint(new RepointRoute53("Z1", "db", RepointRoute53.DEFAULT_TTL, Optional.empty()), null))
                .isInstanceOf(NullPointerException.class).hasMessage("method route53 needs a Route 53 client");
        assertThatThrownBy(() -> CloudSteps.fence(new FenceKubernetes(Optional.empty(), Workload.DEPLOYMENT, "pg"), null))
                .isInstanceOf(NullPointerException.class).hasMessage("method kubernetes needs a Kubernetes client");
    }
}
