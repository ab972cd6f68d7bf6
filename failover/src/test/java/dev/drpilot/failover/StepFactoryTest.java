package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.config.StepRegistry;
import dev.drpilot.failover.steps.PostgresAdmin;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every step a runbook can name is built: a spec without its line in StepFactory fails here, not in a failover. */
class StepFactoryTest {
    /** One step of each kind StepRegistry lists, as an operator writes it. */
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: pg-1}
                  - {name: pg-2, host: pg-2}
            runbooks:
              every-step:
                steps:
                  - {type: check}
                  - {type: fence, method: stop}
                  - {type: fence, method: command, command: "ssh pg-1 sudo systemctl stop postgresql"}
                  - {type: fence, method: kubernetes, namespace: orders, statefulSet: orders-pg-1}
                  - {type: fence, method: agent, replyTimeout: 3s}
                  - {type: promote, method: postgres}
                  - {type: promote, method: rds, region: eu-west-1}
                  - {type: repoint, method: replicas}
                  - {type: repoint, method: kubernetes, deployment: orders-app, env: DB_PRIMARY}
                  - {type: repoint, method: route53, hostedZoneId: Z1, recordName: db.orders.example.com}
                  - {type: verify}
                  - {type: notify}
            """, "test", name -> null);
    private static final ClusterConfig ORDERS = CONFIG.clusters().get("orders");

    // Never connected to: building a step makes no request.
    private final LazyCloudClients cloud = new LazyCloudClients(() -> new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").withNamespace("ops").build()).build());
    private final StepFactory steps = new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.of(cloud));

    @AfterEach
    void close() {
        cloud.close();
    }

    static List<Runbook.Step> everyStep() {
        return CONFIG.runbooks().get("every-step").steps();
    }

    @Test
    void theTableNamesEveryStepTheConfigurationKnows() {
        List<Class<?>> written = everyStep().stream().<Class<?>>map(step -> step.spec().getClass()).toList();
        assertThat(written).as("a step of each kind in StepRegistry")
                .containsExactlyInAnyOrderElementsOf(StepRegistry.kinds().stream().<Class<?>>map(StepRegistry.Kind::spec).toList());
    }

    @ParameterizedTest
    @MethodSource("everyStep")
    void eachStepIsBuiltAndDescribesItselfAsConfigured(Runbook.Step step) {
        assertThat(steps.create(step, ORDERS).describe()).isEqualTo(StepRegistry.kindOf(step.spec()).describe());
    }

    @Test
    void aCloudStepWithoutClientsSaysWhatIsMissing() {
        StepFactory postgresOnly = new StepFactory(new PostgresAdmin(Duration.ofSeconds(1)), Clock.systemUTC(), Optional.empty());

        assertThatThrownBy(() -> postgresOnly.create(everyStep().get(3), ORDERS)).isInstanceOf(IllegalStateException.class)
                .hasMessage("runbook step fence method kubernetes needs the Kubernetes/AWS clients, which this actuator was started without");
        assertThat(postgresOnly.create(everyStep().get(1), ORDERS).describe()).isEqualTo("fence stop");
    }
}
