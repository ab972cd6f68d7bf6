package dev.drpilot.failover.steps;

import dev.drpilot.config.StepSpec;
import dev.drpilot.failover.FailoverStep;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.route53.Route53Client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the Kubernetes, Route 53 and RDS failover steps from their configured specs, with the
 * clients the caller made (one per process, shared by every runbook), and builds those clients.
 * A spec is valid by construction: what it names is not checked again here.
 */
public final class CloudSteps {
    private CloudSteps() {
    }

    /** {@code repoint} with {@code method: kubernetes}: a Deployment's env var or a ConfigMap's key. */
    public static FailoverStep repoint(StepSpec.RepointKubernetes spec, KubernetesClient kubernetes) {
        require(kubernetes, "a Kubernetes client", "kubernetes");
        String namespace = namespace(spec.namespace(), kubernetes);
        return switch (spec.target()) {
            case DEPLOYMENT_ENV -> KubernetesRepointStep.deploymentEnv(kubernetes, namespace, spec.name(), spec.entry());
            case CONFIG_MAP_KEY -> KubernetesRepointStep.configMapKey(kubernetes, namespace, spec.name(), spec.entry());
        };
    }

    /** {@code repoint} with {@code method: route53}. */
    public static FailoverStep repoint(StepSpec.RepointRoute53 spec, Route53Client route53) {
        require(route53, "a Route 53 client", "route53");
        return new Route53RepointStep(route53, spec.hostedZoneId(), spec.recordName(), spec.ttl());
    }

    /** {@code fence} with {@code method: kubernetes}: scales the statefulSet or deployment to 0. */
    public static FailoverStep fence(StepSpec.FenceKubernetes spec, KubernetesClient kubernetes) {
        require(kubernetes, "a Kubernetes client", "kubernetes");
        String namespace = namespace(spec.namespace(), kubernetes);
        return switch (spec.workload()) {
            case STATEFUL_SET -> KubernetesFenceStep.statefulSet(kubernetes, namespace, spec.name());
            case DEPLOYMENT -> KubernetesFenceStep.deployment(kubernetes, namespace, spec.name());
        };
    }

    /** {@code promote} with {@code method: rds}: the instance is the candidate's, the region the client's. */
    public static FailoverStep promote(StepSpec.PromoteRds spec, RdsClient rds) {
        require(rds, "an RDS client", "rds");
        return new RdsPromoteStep(rds);
    }

    /** A client configured like kubectl: the kubeconfig's current context, or in a pod its service account. */
    public static KubernetesClient kubernetesClient() {
        // The JDK's HttpClient, chosen here rather than by whichever factory is on the classpath.
        return new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    /** With the SDK's default credentials chain (environment, profile, IAM role of the pod or instance). */
    public static Route53Client route53Client(Region region, Optional<URI> endpoint) {
        return route53Client(region, endpoint, DefaultCredentialsProvider.builder().build());
    }

    /**
     * Route 53 is global: {@code aws-global} is taken as {@code us-east-1}, where Route 53 requests are
     * signed; without this a client with an endpoint override would sign for "aws-global" and be refused.
     */
    public static Route53Client route53Client(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        Region signing = Region.AWS_GLOBAL.equals(region) ? Region.US_EAST_1 : region;
        return configure(Route53Client.builder(), signing, endpoint, credentials).build();
    }

    public static RdsClient rdsClient(Region region, Optional<URI> endpoint) {
        return rdsClient(region, endpoint, DefaultCredentialsProvider.builder().build());
    }

    public static RdsClient rdsClient(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        return configure(RdsClient.builder(), region, endpoint, credentials).build();
    }

    /**
     * Bounded timeouts, so a hung AWS endpoint cannot hold a failover past its step's timeout for
     * long, and no SDK retries: the steps retry themselves, bounded and logged "retry n of m".
     */
    private static <B extends AwsSyncClientBuilder<B, ?> & AwsClientBuilder<B, ?>> B configure(B builder, Region region, Optional<URI> endpoint,
                                                                                               AwsCredentialsProvider credentials) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(20)))
                .region(region)
                .credentialsProvider(credentials)
                .overrideConfiguration(override -> override
                        .apiCallTimeout(Duration.ofSeconds(30))
                        .retryStrategy(AwsRetryStrategy.doNotRetry()));
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    private static void require(Object client, String what, String method) {
        Objects.requireNonNull(client, () -> "method " + method + " needs " + what);
    }

    /** The step's namespace, else the client's own (the kubeconfig context's, or the pod's). */
    private static String namespace(Optional<String> configured, KubernetesClient kubernetes) {
        return configured.or(() -> Optional.ofNullable(kubernetes.getNamespace())).orElse("default");
    }
}
