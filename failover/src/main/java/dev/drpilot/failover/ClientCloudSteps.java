package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.failover.steps.CloudSteps;
import io.fabric8.kubernetes.client.KubernetesClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.route53.Route53Client;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The Kubernetes and AWS steps, with their clients made when a runbook first needs them (an
 * actuator whose runbooks are PostgreSQL-only never reads a kubeconfig or looks for AWS
 * credentials). AWS clients are made per {@code region} and {@code endpoint} option of the step;
 * Route 53 is global.
 */
public final class ClientCloudSteps implements StepFactory.CloudStepProvider, AutoCloseable {
    private final Supplier<KubernetesClient> kubernetesFactory;
    private volatile KubernetesClient kubernetes;
    private final Map<String, Route53Client> route53 = new ConcurrentHashMap<>();
    private final Map<String, RdsClient> rds = new ConcurrentHashMap<>();

    /** Real clients: kubeconfig or in-cluster service account; the AWS SDK's default credential chain. */
    public ClientCloudSteps() {
        this(CloudSteps::kubernetesClient);
    }

    public ClientCloudSteps(Supplier<KubernetesClient> kubernetesFactory) {
        this.kubernetesFactory = kubernetesFactory;
    }

    @Override
    public FailoverStep create(Runbook.Step step, ClusterConfig cluster) {
        String method = step.options().getOrDefault("method", "");
        return switch (step.type()) {
            case FENCE -> CloudSteps.fence(step, kubernetes());
            case PROMOTE -> CloudSteps.promote(step, rds(step));
            case REPOINT -> "route53".equals(method) ? CloudSteps.repoint(step, null, route53(step)) : CloudSteps.repoint(step, kubernetes(), null);
            default -> throw new IllegalArgumentException(step.type() + " has no cloud method " + method);
        };
    }

    private synchronized KubernetesClient kubernetes() {
        if (kubernetes == null) {
            kubernetes = kubernetesFactory.get();
        }
        return kubernetes;
    }

    private Route53Client route53(Runbook.Step step) {
        Optional<URI> endpoint = Optional.ofNullable(step.options().get("endpoint")).map(URI::create);
        return route53.computeIfAbsent(endpoint.map(URI::toString).orElse(""), key -> CloudSteps.route53Client(Region.AWS_GLOBAL, endpoint));
    }

    private RdsClient rds(Runbook.Step step) {
        Region region = Region.of(step.options().getOrDefault("region", "us-east-1"));
        Optional<URI> endpoint = Optional.ofNullable(step.options().get("endpoint")).map(URI::create);
        return rds.computeIfAbsent(region.id() + "|" + endpoint.map(URI::toString).orElse(""), key -> CloudSteps.rdsClient(region, endpoint));
    }

    @Override
    public void close() {
        if (kubernetes != null) {
            kubernetes.close();
        }
        route53.values().forEach(Route53Client::close);
        rds.values().forEach(RdsClient::close);
    }
}
