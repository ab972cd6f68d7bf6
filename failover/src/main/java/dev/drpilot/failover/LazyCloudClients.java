package dev.drpilot.failover;

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
 * The Kubernetes and AWS clients, each made when a runbook first needs it (an actuator whose
 * runbooks are PostgreSQL-only never reads a kubeconfig or looks for AWS credentials). AWS clients
 * are made per region and endpoint; Route 53 is global.
 */
public final class LazyCloudClients implements CloudClients, AutoCloseable {
    private final Supplier<KubernetesClient> kubernetesFactory;
    private volatile KubernetesClient kubernetes;
    private final Map<String, Route53Client> route53 = new ConcurrentHashMap<>();
    private final Map<String, RdsClient> rds = new ConcurrentHashMap<>();

    /** Real clients: kubeconfig or in-cluster service account; the AWS SDK's default credential chain. */
    public LazyCloudClients() {
        this(CloudSteps::kubernetesClient);
    }

    public LazyCloudClients(Supplier<KubernetesClient> kubernetesFactory) {
        this.kubernetesFactory = kubernetesFactory;
    }

    @Override
    public synchronized KubernetesClient kubernetes() {
        if (kubernetes == null) {
            kubernetes = kubernetesFactory.get();
        }
        return kubernetes;
    }

    @Override
    public Route53Client route53(Optional<URI> endpoint) {
        return route53.computeIfAbsent(endpoint.map(URI::toString).orElse(""), key -> CloudSteps.route53Client(Region.AWS_GLOBAL, endpoint));
    }

    @Override
    public RdsClient rds(Region region, Optional<URI> endpoint) {
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
